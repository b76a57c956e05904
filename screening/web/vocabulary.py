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
