"""The laid-out referral slips kept in the database (``SlipPdf``), shared by every worker and app
server: a slip is laid out once per screening, language and content, however many download it.

A stored PDF holds the slip's personal data, so it lives exactly as long as the screening's
content: erasure (by request or at the end of the retention period) deletes it, and a PDF laid
out while its screening was being erased is never stored (:func:`store` locks the screening's
row and checks it first).
"""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, and_, delete, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from screening.models import Screening, SlipPdf, utcnow

log = logging.getLogger(__name__)


def _where(screening_id: int, locale: str, digest: str) -> ColumnElement[bool]:
    return and_(SlipPdf.screening_id == screening_id, SlipPdf.locale == locale, SlipPdf.digest == digest)


def cached(db: Session, screening_id: int, locale: str, digest: str) -> bytes | None:
    """The stored PDF of this slip (``digest``: the SHA-256 of its HTML), or None."""
    return db.execute(select(SlipPdf.pdf).where(_where(screening_id, locale, digest))).scalar()


def is_cached(db: Session, screening_id: int, locale: str, digest: str) -> bool:
    """Whether that PDF is stored, without reading it."""
    found = db.execute(select(SlipPdf.screening_id).where(_where(screening_id, locale, digest))).first()
    return found is not None


def store(db: Session, screening_id: int, locale: str, digest: str, pdf: bytes) -> bool:
    """Keep ``pdf`` as the slip of the screening in ``locale`` (in place of an older one) and commit.

    Nothing is stored for a screening that is erased, or being erased: its row is locked first
    (``FOR UPDATE`` on PostgreSQL; SQLite's writers take turns), so erasure either comes after and
    deletes this PDF, or came before and is seen here. The cache is an optimisation: when the
    database refuses (a concurrent writer on SQLite), nothing is stored and False is returned.
    """
    try:
        live = db.execute(
            select(Screening.id).where(Screening.id == screening_id, Screening.erased_at.is_(None)).with_for_update()
        ).first()
        if live is None:
            db.rollback()
            return False
        db.execute(delete(SlipPdf).where(SlipPdf.screening_id == screening_id, SlipPdf.locale == locale))
        db.execute(
            insert(SlipPdf).values(
                screening_id=screening_id, locale=locale, digest=digest, pdf=pdf, created_at=utcnow()
            )
        )
        db.commit()
    except SQLAlchemyError as exc:
        db.rollback()
        log.warning("slip PDF not kept: %s", type(exc).__name__)  # never the statement or its values
        return False
    return True


def forget(db: Session, screening_id: int) -> None:
    """Delete every stored slip of a screening (it is being erased), in the caller's transaction."""
    db.execute(delete(SlipPdf).where(SlipPdf.screening_id == screening_id))
