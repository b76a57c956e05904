"""The OpenAPI 3 document of /api/v1. A test runs schemathesis against it."""

from __future__ import annotations

from typing import Any

from screening.core.languages import UI_LOCALES
from screening.core.model import PRIORITIES
from screening.core.profile import AGE_ESTIMATES

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
ANSWER = {"type": "string", "enum": ["yes", "no", "unknown", "not_asked"]}
SCREENING_INPUT = {
    "type": "object",
    "required": ["set"],
    "properties": {
        "set": {"type": "string", "example": "general"},
        "version": {"type": "string", "example": "2026.1"},
        "locale": {"type": "string", "enum": list(UI_LOCALES)},
        "age": {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 120}, {"type": "string", "enum": ["unknown"]}]},
        "age_estimate": {
            "type": "string",
            "enum": list(AGE_ESTIMATES),
            "description": (
                "The screener's estimate when the exact age is not known (or is doubted). 'may_be_minor' and "
                "'clearly_child' are scored as a child (Council of Europe Convention, Art. 10(3)); with neither "
                "an age nor an estimate, or 'cannot_estimate', scoring 2026.2 scores an adult and says the age "
                "must be established."
            ),
        },
        "age_uncertain": {
            "type": "boolean",
            "description": "2026.1 spelling of age_estimate 'may_be_minor': the age is an estimate, may be under 18.",
        },
        "foreign_national": {"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["unknown"]}]},
        "asylum_seeker": {"type": "boolean"},
        "municipality": {"type": "string", "example": "prizren"},
        "consent": {"type": "string", "enum": ["given", "declined", "not_recorded"]},
        "sex": {"type": "string", "enum": ["female", "male", "not_stated"]},
        "safety": {"type": "object", "additionalProperties": ANSWER},
        "answers": {"type": "object", "additionalProperties": ANSWER},
    },
}
REFERRAL: dict[str, Any] = {
    "type": "object",
    "required": ["contact", "priority"],
    "properties": {"contact": {"type": "string"}, "priority": {"type": "string", "enum": list(PRIORITIES)}},
}
REFERRAL_WITH_REASON = {**REFERRAL, "properties": {**REFERRAL["properties"], "reason": {"type": "string"}}}
ASSESSMENT = {
    "type": "object",
    "required": ["level", "urgent", "child", "dimensions", "forms", "explanation", "referrals", "rules_version"],
    "properties": {
        "level": {"type": "integer", "minimum": 0, "maximum": 3},
        "urgent": {"type": "boolean"},
        "child": {"type": "boolean"},
        "age_to_establish": {"type": "boolean"},
        "dimensions": {"type": "array", "items": {"type": "object"}},
        "forms": {"type": "array", "items": {"type": "string"}},
        "explanation": {"type": "array", "items": {"type": "string"}},
        "referrals": {"type": "array", "items": REFERRAL_WITH_REASON},
        "rules_version": {"type": "string"},
    },
}
SCREENING = {
    "type": "object",
    "required": ["token", "slip_number", "set", "version", "level", "referrals", "slip_pdf"],
    "properties": {
        "token": {"type": "string"},
        "slip_number": {"type": "string"},
        "set": {"type": "string"},
        "version": {"type": "string"},
        "rules_version": {"type": "string"},
        "locale": {"type": "string"},
        "level": {"type": "integer", "minimum": 0, "maximum": 3},
        "urgent": {"type": "boolean"},
        "child": {"type": "boolean"},
        "forms": {"type": "array", "items": {"type": "string"}},
        "explanation": {"type": "object"},
        "referrals": {"type": "array", "items": REFERRAL},
        "completed_at": {"type": "string"},
        "slip_pdf": {"type": "string"},
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    names = {
        400: "Bad request",
        401: "No valid token",
        403: "Not allowed",
        404: "Not found",
        409: "The Idempotency-Key was used with another body (code idempotency_conflict)",
    }
    return {str(code): _json(ERROR, names[code]) for code in codes}


PDF = {"type": "string", "format": "binary"}
LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": list(UI_LOCALES)}}


def _document() -> dict[str, Any]:
    secured: list[dict[str, list[str]]] = [{"bearer": []}]
    return {
        "openapi": "3.0.3",
        "info": {"title": "Early identification of trafficking – API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/sets": {
                "get": {
                    "summary": "Indicator sets and their versions",
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": {"type": "object", "required": ["id", "versions", "default"]}},
                            "The sets",
                        )
                    },
                }
            },
            "/sets/{set_id}/{version}": {
                "get": {
                    "summary": "One set version in a language",
                    "parameters": [
                        {"name": "set_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}},
                        LANG,
                    ],
                    "responses": {
                        "200": _json({"type": "object", "required": ["id", "version", "sections"]}, "The set"),
                        **_errors(400, 404),
                    },
                }
            },
            "/score": {
                "post": {
                    "summary": "Score answers without storing them",
                    "security": secured,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": SCREENING_INPUT}}},
                    "responses": {"200": _json(ASSESSMENT, "The result and referrals"), **_errors(400, 401, 403)},
                }
            },
            "/screenings": {
                "post": {
                    "summary": "Create and complete a screening (idempotent by Idempotency-Key)",
                    "description": (
                        "Only the request that created the screening gets 201. A repeat of the same key with the "
                        "same body (compared as canonical JSON: key order and spacing do not matter) gets 200 and "
                        "the same screening, however many requests race; a repeat with a different body gets 409 "
                        "with code idempotency_conflict and stores nothing, as does a repeat after the screening "
                        "was erased. A completed screening never changes."
                    ),
                    "security": secured,
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "minLength": 8, "maxLength": 200},
                        }
                    ],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": SCREENING_INPUT}}},
                    "responses": {
                        "201": _json(SCREENING, "Created"),
                        "200": _json(SCREENING, "Already created by an earlier request with the same body"),
                        **_errors(400, 401, 403, 409),
                    },
                }
            },
            "/screenings/{token}": {
                "get": {
                    "summary": "A stored screening's result",
                    "security": secured,
                    "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": _json(SCREENING, "The screening"), **_errors(401, 403, 404)},
                }
            },
            "/screenings/{token}/slip.pdf": {
                "get": {
                    "summary": "The referral slip as PDF, in the recipient's language",
                    "security": secured,
                    "parameters": [
                        {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                        LANG,
                    ],
                    "responses": {
                        "200": {"description": "The slip", "content": {"application/pdf": {"schema": PDF}}},
                        **_errors(400, 401, 403, 404),
                    },
                }
            },
        },
    }


#: Any operation can be refused before it runs (screening/web/guard.py); the error's code says why.
REFUSALS = {
    "400": _json(
        ERROR,
        "Malformed request (code invalid_characters: a control character in the path, a parameter, a header "
        "or the JSON; json_too_deep: JSON nested over 32 levels; invalid_form: a form part without a name)",
    ),
    "413": _json(ERROR, "The body is larger than the max_request_bytes setting (code too_large)"),
}


def openapi_document() -> dict[str, Any]:
    document = _document()
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in REFUSALS.items():
                operation["responses"].setdefault(status, response)
    return document
