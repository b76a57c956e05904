"""Closed lists the interface offers. Labels are gettext strings; keys are what is stored."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

INSTITUTIONS = {
    "police": _l("Kosovo Police"),
    "border_police": _l("Border police"),
    "customs": _l("Customs"),
    "health": _l("Health facility"),
    "labour_inspectorate": _l("Labour Inspectorate"),
    "csw": _l("Centre for Social Work"),
    "asylum_centre": _l("Asylum centre"),
    "detention_centre": _l("Detention centre"),
    "ngo": _l("Non-governmental organisation"),
    "other": _l("Other institution"),
}

#: The set an institution usually works with, offered first on the start page.
USUAL_SET = {
    "police": "general",
    "border_police": "migrants",
    "customs": "general",
    "health": "health",
    "labour_inspectorate": "labour",
    "csw": "child",
    "asylum_centre": "migrants",
    "detention_centre": "migrants",
    "ngo": "general",
    "other": "general",
}

ROLES = {
    "first_contact_officer": _l("First-contact officer"),
    "health_worker": _l("Health worker"),
    "labour_inspector": _l("Labour inspector"),
    "social_worker": _l("Social worker"),
    "centre_staff": _l("Asylum or detention centre staff"),
    "other": _l("Other role"),
}

ANSWER_LABELS = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "unknown": _l("Don't know"),
}

#: The choice that leaves a question unanswered (or clears a mis-tap): blank counts as not asked.
NOT_ASKED_LABEL = _l("Not asked")

#: The screener's estimate when the exact age is not known (keys: ``screening.core.profile.AGE_ESTIMATES``).
AGE_ESTIMATE_LABELS = {
    "clearly_adult": _l("Clearly an adult"),
    "may_be_minor": _l("May be under 18"),
    "clearly_child": _l("Clearly a child"),
    "cannot_estimate": _l("Cannot estimate (for example on the phone)"),
}

SEXES = {"female": _l("Female"), "male": _l("Male"), "not_stated": _l("Not stated")}

NATIONALITIES = {"kosovo": _l("Kosovo"), "other": _l("Other country"), "unknown": _l("Unknown")}

#: Whether the person is an asylum seeker; "unknown" is a choice, never a default.
ASYLUM_LABELS = {"no": _l("No"), "yes": _l("Yes"), "unknown": _l("Don't know")}

PRIORITY_LABELS = {"now": _l("Now"), "within_24h": _l("Within 24 hours"), "routine": _l("Routine")}

CONSENT_LABELS = {
    "given": _l("Agreed to be referred"),
    "declined": _l("Declined referral"),
    "not_recorded": _l("Not recorded"),
}

#: The audit trail's actions (keys: ``screening.audit.ACTIONS``), as the audit page names them.
AUDIT_ACTIONS = {
    "login": _l("Logged in"),
    "login_failed": _l("Login refused"),
    "lockout": _l("Account locked"),
    "logout": _l("Logged out"),
    "session_expired": _l("Session ended by itself"),
    "password_changed": _l("Password changed"),
    "screening_created": _l("Screening started"),
    "screening_completed": _l("Screening completed"),
    "screening_viewed": _l("Screening viewed"),
    "slip_printed": _l("Slip opened for printing"),
    "slip_downloaded": _l("Slip downloaded"),
    "person_view_opened": _l("Tablet shown to the person"),
    "question_sheet_printed": _l("Question sheet printed"),
    "consent_recorded": _l("Consent recorded"),
    "screening_erased": _l("Screening erased"),
    "purge": _l("Expired screenings erased"),
    "export": _l("Export"),
    "user_created": _l("User created"),
    "user_changed": _l("User changed"),
    "access_denied": _l("Access refused"),
}

#: What an audit event was about.
AUDIT_OBJECTS = {
    "screening": _l("Screening"),
    "user": _l("User"),
    "api_token": _l("API token"),
    "audit_events": _l("Audit trail"),
    "statistics": _l("Statistics"),
    "records": _l("Record-level export"),
}

#: How an audit event ended; an outcome not listed here is shown as stored.
AUDIT_OUTCOMES = {
    "ok": _l("done"),
    "address_limit": _l("too many attempts from this address"),
    "unknown_or_disabled": _l("unknown or disabled user"),
    "locked": _l("account locked"),
    "throttled": _l("too soon after a wrong password"),
    "bad_password": _l("wrong password"),
    "password_reset": _l("new one-time password"),
    "enabled": _l("enabled"),
    "disabled": _l("disabled"),
    "unlocked": _l("unlocked"),
    "name_changed": _l("name on slips changed"),
    "idle": _l("a time without activity"),
    "lifetime": _l("the longest session allowed"),
    "api_token": _l("API token issued"),
    "token_revoked": _l("API token revoked"),
    "retention": _l("retention period over"),
    "request": _l("on request"),
}

#: Languages a person may speak, as ISO 639 codes; their names come from Babel's CLDR data.
SPOKEN_LANGUAGES = (
    "sq",
    "sr",
    "bs",
    "tr",
    "rom",
    "en",
    "de",
    "fr",
    "it",
    "ar",
    "fa",
    "ps",
    "ur",
    "uk",
    "ru",
    "mk",
    "hr",
    "ro",
    "bg",
    "zh",
)
