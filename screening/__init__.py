"""Early identification and referral of possible victims of trafficking in human beings (Kosovo).

``create_app`` is imported lazily so that ``screening.core`` (and the content CLI) never pull in
Flask.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from screening.app import create_app

        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]
