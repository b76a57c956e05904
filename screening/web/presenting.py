"""Plain data for templates, from a stored screening. Templates get dicts, never models or forms."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask_babel import gettext as _
from flask_babel import ngettext

from screening.core.assessment import Coverage, coverage
from screening.core.languages import content_language, localise
from screening.core.model import Content, Directory, IndicatorSet, ScoringRules
from screening.core.scoring import Reason, ScoreResult, reasons
from screening.models import Screening
from screening.web.forms import language_name
from screening.web.vocabulary import (
    AGE_ESTIMATE_LABELS,
    ASYLUM_LABELS,
    CONSENT_LABELS,
    NATIONALITIES,
    PRIORITY_LABELS,
    SEXES,
)


def _text(value: dict[str, str], locale: str) -> str:
    return localise(value, locale)


def phone_status(referral: dict[str, Any], directory: Directory | None) -> str:
    """``published`` or ``to_confirm`` for the number a stored referral shows.

    A referral stored with its ``phone_status`` keeps it. Referrals stored without one (every
    screening completed so far stores only the name and the number it showed) count as published
    only while the directory still publishes that very number for that contact (or, for a
    per-municipality contact, for a municipality); anything else is to be confirmed. So the number
    an old slip showed never changes, and no number is ever shown as confirmed unless it is.
    """
    phone = referral.get("phone")
    if not phone:
        return "to_confirm"
    stored = referral.get("phone_status")
    if stored in ("published", "to_confirm"):
        return str(stored)
    contact = directory.contacts.get(referral.get("contact", "")) if directory else None
    if directory is None or contact is None:
        return "to_confirm"
    if contact.phone == phone and contact.phone_status == "published":
        return "published"
    if contact.per_municipality and any(
        m.csw_phone == phone and m.csw_phone_status == "published" for m in directory.municipalities.values()
    ):
        return "published"
    return "to_confirm"


def _content() -> Content | None:
    from flask import current_app

    content: Content | None = current_app.extensions.get("screening.content")
    return content


def _directory() -> Directory | None:
    content = _content()
    return content.directory if content else None


#: Institutions whose screeners are police officers: they call for backup and stay with the person.
POLICE_INSTITUTIONS = frozenset({"police", "border_police"})


def danger_advice(institution: str, number: str | None) -> str:
    """What the danger page tells a screener of ``institution`` to do, with the police number
    (``None`` when the directory does not publish one)."""
    if number is None:
        return _("Stop the screening. Call the police now.")
    if institution in POLICE_INSTITUTIONS:
        return _(
            "Call for backup now on %(number)s or through your duty officer, "
            "and stay with the person until help arrives.",
            number=number,
        )
    return _(
        "Stop the screening and call the police on %(number)s now. Stay with the person if it is safe for you.",
        number=number,
    )


def emergency_number(directory: Directory | None) -> str | None:
    """The police emergency number, when the directory publishes it (never one to be confirmed)."""
    contact = directory.contacts.get("police_emergency") if directory else None
    return contact.phone if contact and contact.phone and contact.phone_status == "published" else None


def no_referral_advice(number: str | None) -> str:
    """What the result adds when it suggests no contact. Every coercion item's guidance sends a
    partner's or relative's violence, with nobody exploiting the person, to the domestic-violence
    procedure; a screening that ends with nothing to record must not read as "nothing to do"."""
    if number is None:
        return _(
            "Violence at home with no exploitation is not trafficking: follow the domestic-violence procedure "
            "(for a child, inform the Centre for Social Work) and call the police if someone is in danger now."
        )
    return _(
        "Violence at home with no exploitation is not trafficking: follow the domestic-violence procedure "
        "(for a child, inform the Centre for Social Work) and call %(number)s if someone is in danger now.",
        number=number,
    )


def not_assessed_headline(covered: Coverage) -> str:
    """The result's headline when too few questions were answered for a level (see ``Coverage``)."""
    return ngettext(
        "Not assessed: %(answered)s of %(num)s question answered",
        "Not assessed: %(answered)s of %(num)s questions answered",
        covered.asked,
        answered=covered.answered,
    )


def _coverage(screening: Screening, indicator_set: IndicatorSet | None) -> Coverage | None:
    if indicator_set is None:
        return None
    return coverage(indicator_set, screening.answers or {}, child=bool((screening.result or {}).get("child")))


def _word_reason(reason: Reason, result: dict[str, Any], rules: ScoringRules, lang: str) -> dict[str, Any]:
    """One reason in content language ``lang``: a sentence, and the indicators it rests on by their
    texts (as shown when the screening was completed), never by their ids."""
    observed = {item["id"]: item["text"][lang] for item in result.get("observed", [])}
    names = result.get("dimension_names", {})
    dimension = names[reason.dimension][lang] if reason.dimension in names else ""
    if reason.key == "level":
        outcome = rules.outcome(result["level_key"])
        text = (outcome.explanation_child if result.get("child") else outcome.explanation_adult)[lang]
        return {"text": text, "indicators": []}
    template = rules.texts[reason.key][lang]
    if not reason.indicators:
        return {"text": template.format(dimension=dimension, indicators="", count=reason.count), "indicators": []}
    # Every template ends "…: {indicators}.": keep the lead-in, list the indicators below it.
    lead = template.format(dimension=dimension, indicators="\0", count=reason.count).split("\0")[0].rstrip()
    return {"text": lead, "indicators": [observed.get(i, "") for i in reason.indicators if i in observed]}


def reasons_view(screening: Screening, locale: str, *, assessed: bool = True) -> list[dict[str, Any]]:
    """The reasons for the result in ``locale``, worded from the stored result with the scoring
    file it was scored with (released files never change). A not-assessed screening has no level
    to explain, so its level line is left out."""
    result = screening.result or {}
    content = _content()
    rules = content.scoring.get(screening.scoring_version or "") if content else None
    if rules is None or not result.get("level_key"):
        return []
    lang = content_language(locale)
    worded = [
        _word_reason(reason, result, rules, lang)
        for reason in reasons(ScoreResult.from_dict(result), rules)
        if assessed or reason.key != "level"
    ]
    return [
        {
            "text": localise({lang: r["text"]}, locale),
            "indicators": [localise({lang: t}, locale) for t in r["indicators"]],
        }
        for r in worded
    ]


def _flat(reason: dict[str, Any]) -> str:
    """A reason as one line, for the slip: the lead-in followed by the indicator texts."""
    if not reason["indicators"]:
        return str(reason["text"])
    return f"{reason['text']} " + "; ".join(text.rstrip(".") for text in reason["indicators"]) + "."


def result_view(screening: Screening, locale: str) -> dict[str, Any]:
    """What the result page and the slip show, in ``locale``, from what was stored."""
    result = screening.result or {}
    content = _content()
    directory = content.directory if content else None
    indicator_set = content.get_set(screening.set_id, screening.set_version) if content else None
    covered = _coverage(screening, indicator_set)
    assessed = covered is None or covered.assessed(int(result.get("level", 0)))
    worded = reasons_view(screening, locale, assessed=assessed)
    observed = {item["id"]: item for item in result.get("observed", [])}
    dimensions = [
        {
            "name": _text(result["dimension_names"][finding["dimension"]], locale),
            "positive": finding["positive"],
            "indicators": [
                {
                    "id": hit["indicator"],
                    "strength": hit["strength"],
                    "text": _text(observed[hit["indicator"]]["text"], locale),
                }
                for hit in finding["hits"]
            ],
        }
        for finding in result.get("dimensions", [])
    ]
    return {
        "level": result.get("level"),
        "level_label": _text(result["level_label"], locale) if result else "",
        "child": result.get("child"),
        "urgent": result.get("urgent"),
        "medical_emergency": result.get("medical_emergency"),
        "assessed": assessed,
        "not_assessed": "" if assessed or covered is None else not_assessed_headline(covered),
        "stopped_for_danger": bool(covered and covered.stopped_for_danger),
        "coverage": covered,
        "set_title": _set_title(indicator_set, screening, locale),
        "reasons": worded,
        "explanation": [_flat(reason) for reason in worded],
        "dimensions": dimensions,
        "forms": [_text(name, locale) for name in result.get("form_names", {}).values()],
        "observed": [{"id": i["id"], "text": _text(i["text"], locale)} for i in result.get("observed", [])],
        "danger_advice": danger_advice(screening.institution, emergency_number(directory)),
        "no_referral_advice": no_referral_advice(emergency_number(directory)),
        "referrals": [
            {
                "contact": r["contact"],
                "name": _text(r["name"], locale),
                "phone": r["phone"],
                # Only a published number is a tap-to-call button; any other is "to be confirmed".
                "phone_confirmed": phone_status(r, directory) == "published",
                "priority": r["priority"],
                "priority_label": str(PRIORITY_LABELS[r["priority"]]),
                "reasons": [_text(reason, locale) for reason in r["reasons"]],
                "sop": r["sop"],
            }
            for r in screening.referrals or []
        ],
        "consent": str(CONSENT_LABELS.get(screening.consent, screening.consent)),
        "informed_of_rights": screening.informed_of_rights,
    }


def _set_title(indicator_set: IndicatorSet | None, screening: Screening, locale: str) -> str:
    """The set by its title and version (for example "General indicators … – version 2026.2")."""
    if indicator_set is None:
        return screening.set_version
    return _(
        "%(title)s, version %(version)s", title=localise(indicator_set.title, locale), version=indicator_set.version
    )


def profile_rows(profile: dict[str, Any], content: Content, locale: str) -> list[tuple[str, str]]:
    """The profile as label / value pairs (labels are gettext strings); a field the screener left
    unchosen shows "–", never a value."""
    if not profile:
        return []
    age = _("Unknown") if profile.get("age_unknown") else str(profile.get("age"))
    if profile.get("age_uncertain"):
        age = f"{age} ({_('estimate')})"
    estimate = AGE_ESTIMATE_LABELS.get(profile.get("age_estimate") or "")
    if estimate is not None:  # 2026.2 profiles: the screener's estimate, with or without an age
        age = str(estimate) if profile.get("age") is None else f"{profile.get('age')} ({estimate})"
    municipality = content.directory.municipalities.get(profile.get("municipality") or "")
    spoken = profile.get("spoken_language")
    if spoken and spoken != "other":
        spoken = language_name(spoken, Locale.parse(locale))
    rows = [
        (_("Age"), age),
        (_("Sex"), str(SEXES.get(profile.get("sex", ""), "–"))),
        (_("Nationality"), str(NATIONALITIES.get(profile.get("nationality", ""), "–"))),
        (_("Country of origin"), Locale.parse(locale).territories.get(profile.get("country") or "", "–")),
        (_("Asylum seeker"), str(ASYLUM_LABELS.get(profile.get("asylum_seeker") or "", "–"))),
        (_("Language the person speaks"), _("Other language") if spoken == "other" else (spoken or "–")),
        (_("Municipality"), localise(municipality.name, locale) if municipality else "–"),
        (_("Case reference"), profile.get("case_reference") or "–"),
    ]
    return rows
