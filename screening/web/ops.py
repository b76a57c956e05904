"""Endpoints for operators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from screening.core.model import Content
from screening.web.access import public

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@public
def healthz() -> dict[str, Any]:
    content: Content = current_app.extensions["screening.content"]
    return {
        "status": "ok",
        "sets": {set_id: list(content.versions(set_id)) for set_id in content.set_ids()},
        "defaults": dict(content.defaults),
        "scoring": sorted(content.scoring),
        "referral_rules": sorted(content.referral_rules),
    }
