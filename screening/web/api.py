"""The JSON API, version 1: sets, scoring without storing, screenings created idempotently.

Errors are JSON with a stable code: ``{"error": {"code": "invalid_input", "message": "..."}}``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from screening import audit
from screening import operations as ops
from screening.core.assessment import assess, resolve_set
from screening.core.errors import ScoringInputError
from screening.core.inputs import parse_screening_input
from screening.core.languages import UI_LOCALES, content_language, localise, normalise_locale
from screening.core.model import Content, IndicatorSet, Section
from screening.db import get_session
from screening.models import Screening
from screening.roles import SCREENER
from screening.web import slip
from screening.web.access import api_token, public
from screening.web.api_errors import api_error
from screening.web.api_spec import openapi_document
from screening.web.vocabulary import SEXES

bp = Blueprint("api", __name__, url_prefix="/api/v1")
API_INPUT_KEYS = ("set", "version", "sex", "locale")


def _content() -> Content:
    loaded: Content = current_app.extensions["screening.content"]
    return loaded


def _language() -> str | None:
    raw = request.args.get("lang")
    if raw is None:
        return "en"
    return normalise_locale(raw)


@bp.get("/openapi.json")
@public
def openapi() -> Any:
    return jsonify(openapi_document())


@bp.get("/sets")
@public
def sets() -> Any:
    content = _content()
    return jsonify(
        [
            {"id": set_id, "versions": list(content.versions(set_id)), "default": content.default_version(set_id)}
            for set_id in content.set_ids()
        ]
    )


def _set_json(indicator_set: IndicatorSet, language: str) -> dict[str, Any]:
    return {
        "id": indicator_set.id,
        "version": indicator_set.version,
        "status": indicator_set.status,
        "language": language,
        "title": localise(indicator_set.title, language),
        "sections": [_section_json(section, language) for section in indicator_set.sections],
        # Asked, after the sections, when the person is or may be under 18.
        "child_sections": [_section_json(section, language) for section in indicator_set.child_sections],
    }


def _section_json(section: Section, language: str) -> dict[str, Any]:
    return {
        "id": section.id,
        "kind": section.kind,
        "title": localise(section.title, language),
        "items": [
            {
                "id": c.id,
                "signal": c.signal,
                "text": localise(c.text, language),
                "guidance": localise(c.guidance, language),
            }
            for c in section.safety_checks
        ]
        + [
            {
                "id": i.id,
                "dimension": i.dimension,
                "strength": {"adult": i.strength_adult, "child": i.strength_child},
                "forms": list(i.forms),
                "mode": i.mode,
                "urgent": i.urgent,
                "text": localise(i.text, language),
                "guidance": localise(i.guidance, language),
            }
            for i in section.indicators
        ],
    }


@bp.get("/sets/<set_id>/<version>")
@public
def get_set(set_id: str, version: str) -> Any:
    language = _language()
    if language is None:
        return api_error(400, "invalid_language", f"lang must be one of {', '.join(UI_LOCALES)}")
    indicator_set = _content().get_set(set_id, version)
    if indicator_set is None or version not in _content().versions(set_id):
        return api_error(404, "unknown_set", f"no indicator set {set_id!r} version {version!r}")
    return jsonify(_set_json(indicator_set, language))


def _body() -> tuple[dict[str, Any] | None, tuple[Response, int] | None]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, api_error(400, "invalid_json", "send a JSON object (Content-Type: application/json)")
    return data, None


def _parse(data: dict[str, Any]) -> tuple[IndicatorSet, Any, dict[str, str]]:
    set_id, version = data.get("set"), data.get("version")
    if not isinstance(set_id, str) or (version is not None and not isinstance(version, str)):
        raise ScoringInputError("'set' (a set id) is required; 'version' is optional and a string")
    indicator_set = resolve_set(_content(), set_id, version)
    profile, answers = parse_screening_input({k: v for k, v in data.items() if k not in API_INPUT_KEYS})
    return indicator_set, profile, answers


def _assessment_json(payload: dict[str, Any], language: str) -> dict[str, Any]:
    payload["explanation"] = [
        localise({content_language(language): line}, language)
        for line in payload["explanation"][content_language(language)]
    ]
    return payload


@bp.post("/score")
@api_token(SCREENER)
def score() -> Any:
    """Score answers without storing anything."""
    data, error = _body()
    if error:
        return error
    assert data is not None
    try:
        indicator_set, profile, answers = _parse(data)
        assessment = assess(_content(), indicator_set, answers, profile)
    except ScoringInputError as exc:
        return api_error(400, "invalid_input", str(exc))
    language = _locale_of(data)
    if language is None:
        return api_error(400, "invalid_language", f"locale must be one of {', '.join(UI_LOCALES)}")
    return jsonify(_assessment_json(assessment.to_dict(content_language(language)), language))


def _locale_of(data: dict[str, Any]) -> str | None:
    raw = data.get("locale", "en")
    return normalise_locale(raw) if isinstance(raw, str) else None


def _web_profile(data: dict[str, Any], profile: Any) -> dict[str, Any]:
    """The stored profile (the same shape the checklist stores) from an API request."""
    nationality = {True: "other", False: "kosovo", None: "unknown"}[profile.foreign_national]
    sex = data.get("sex", "not_stated")
    if not isinstance(sex, str) or sex not in SEXES:
        raise ScoringInputError(f"sex must be one of {', '.join(SEXES)}")
    return {
        "age": profile.age,
        "age_unknown": profile.age is None,
        "age_uncertain": profile.age_uncertain,
        "age_estimate": profile.age_estimate,
        "sex": sex,
        "nationality": nationality,
        "country": None,
        "asylum_seeker": "yes" if profile.asylum_seeker else "no",
        "spoken_language": None,
        "municipality": profile.municipality,
        "case_reference": None,
        "complete": True,
    }


def _utc(moment: dt.datetime) -> dt.datetime:
    """A stored time in UTC; SQLite gives it back without its zone (it was stored in UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _screening_json(screening: Screening) -> dict[str, Any]:
    result = screening.result or {}
    return {
        "token": screening.token,
        "slip_number": screening.slip_number,
        "set": screening.set_id,
        "version": screening.set_version,
        "rules_version": screening.rules_version,
        "locale": screening.locale,
        "level": result.get("level"),
        "urgent": result.get("urgent"),
        "child": result.get("child"),
        "forms": result.get("forms", []),
        "explanation": result.get("explanation", {}),
        "referrals": [
            {"contact": r["contact"], "priority": r["priority"], "phone": r.get("phone")}
            for r in screening.referrals or []
        ],
        "completed_at": _utc(screening.completed_at).isoformat() if screening.completed_at else None,
        "slip_pdf": url_for("api.screening_slip", token=screening.token),
    }


@bp.post("/screenings")
@api_token(SCREENER)
def create_screening() -> Any:
    """Create and complete a screening, idempotent by Idempotency-Key: 201 for the one request that
    created it, 200 with the same body for a repeat of the first request's body, 409 for another body."""
    key = request.headers.get("Idempotency-Key", "")
    if not 8 <= len(key) <= 200:
        return api_error(400, "idempotency_key_required", "send an Idempotency-Key header of 8 to 200 characters")
    data, error = _body()
    if error:
        return error
    assert data is not None
    locale = _locale_of(data)
    if locale is None:
        return api_error(400, "invalid_language", f"locale must be one of {', '.join(UI_LOCALES)}")
    try:
        indicator_set, profile, answers = _parse(data)
        assess(_content(), indicator_set, answers, profile)  # validates before anything is stored
        stored_profile = _web_profile(data, profile)
    except ScoringInputError as exc:
        return api_error(400, "invalid_input", str(exc))
    screening, outcome = ops.create_completed(
        get_session(),
        _content(),
        indicator_set,
        start_key=hashlib.sha256(f"api:{g.user.id}:{key}".encode()).hexdigest()[:43],
        request_hash=request_hash(data),
        fields={"answers": answers, "profile": stored_profile, "consent": profile.consent},
        locale=locale,
        institution=g.user.institution,
        user=g.user,
    )
    if outcome == ops.CONFLICT:
        why = "its screening was erased" if screening.erased_at else "it was used with another request body"
        return api_error(409, "idempotency_conflict", f"this Idempotency-Key cannot be used again: {why}")
    return jsonify(_screening_json(screening)), 201 if outcome == ops.CREATED else 200


def request_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the body in a canonical form: key order and spacing make no difference."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


NOT_FOUND = (404, "not_found", "no completed screening with this token in your institution")


def _own(token: str) -> Screening | None:
    """A completed, not erased screening of the token user's institution, or None."""
    screening = ops.find(get_session(), token)
    if screening is None or screening.institution != g.user.institution or not screening.completed:
        return None
    return None if screening.erased_at else screening


def _audit(action: str, screening: Screening) -> None:
    """The same audit row as the web page that shows the same thing."""
    audit.record(get_session(), action, actor=g.user.username, object_type="screening", object_id=screening.id)


@bp.get("/screenings/<token>")
@api_token(SCREENER)
def get_screening(token: str) -> Any:
    screening = _own(token)
    if screening is None:
        return api_error(*NOT_FOUND)
    _audit("screening_viewed", screening)
    return jsonify(_screening_json(screening))


@bp.get("/screenings/<token>/slip.pdf")
@api_token(SCREENER)
def screening_slip(token: str) -> Any:
    screening = _own(token)
    if screening is None:
        return api_error(*NOT_FOUND)
    language = _language()
    if language is None:
        return api_error(400, "invalid_language", f"lang must be one of {', '.join(UI_LOCALES)}")
    pdf = slip.render_pdf(screening, language)
    _audit("slip_downloaded", screening)
    return Response(pdf, mimetype="application/pdf")
