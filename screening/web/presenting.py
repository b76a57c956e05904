"""Plain data for templates, from a stored screening. Templates get dicts, never models or forms."""

from __future__ import annotations

from typing import Any

from babel import Locale

from screening.core.languages import content_language, localise
from screening.core.model import Content, Directory
from screening.models import Screening
from screening.web.forms import language_name
from screening.web.vocabulary import (
    AGE_ESTIMATE_LABELS,
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


def _directory() -> Directory | None:
    from flask import current_app

    content: Content | None = current_app.extensions.get("screening.content")
    return content.directory if content else None


def result_view(screening: Screening, locale: str) -> dict[str, Any]:
    """What the result page and the slip show, in ``locale``, from what was stored."""
    result = screening.result or {}
    lang = content_language(locale)
    directory = _directory()
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
        "explanation": [localise({lang: line}, locale) for line in result.get("explanation", {}).get(lang, [])],
        "dimensions": dimensions,
        "forms": [_text(name, locale) for name in result.get("form_names", {}).values()],
        "observed": [{"id": i["id"], "text": _text(i["text"], locale)} for i in result.get("observed", [])],
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


def profile_rows(profile: dict[str, Any], content: Content, locale: str) -> list[tuple[str, str]]:
    """The profile as label / value pairs (labels are gettext strings)."""
    from flask_babel import gettext as _

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
        (_("Asylum seeker"), _("Yes") if profile.get("asylum_seeker") == "yes" else _("No")),
        (_("Language the person speaks"), _("Other language") if spoken == "other" else (spoken or "–")),
        (_("Municipality"), localise(municipality.name, locale) if municipality else "–"),
        (_("Case reference"), profile.get("case_reference") or "–"),
    ]
    return rows
