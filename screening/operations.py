"""What happens to a stored screening. Takes the database session explicitly; no Flask here."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, Update, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from screening import audit, slip_pdfs, statistics_db
from screening.core.assessment import Assessment, assess
from screening.core.languages import CONTENT_LANGUAGES
from screening.core.model import Content, IndicatorSet, Section
from screening.core.profile import Profile
from screening.core.scoring import signals_a_child
from screening.models import COMPLETED, DRAFT, Actor, Screening, utcnow
from screening.statistics import Row, coarse_profile, month_of

SAFETY_STEP = "safety"
PROFILE_STEP = "profile"
REVIEW_STEP = "review"


def steps(indicator_set: IndicatorSet, *, child: bool) -> list[str]:
    """The pages of a screening, in order: safety, profile, one per indicator section, review.

    For a child (see :func:`counts_as_child`) the set's child module joins after its own sections.
    """
    sections = [s.id for s in indicator_set.sections_for(child) if s.kind == "indicators"]
    return [SAFETY_STEP, PROFILE_STEP, *sections, REVIEW_STEP]


def counts_as_child(content: Content, indicator_set: IndicatorSet, screening: Screening) -> bool:
    """Whether the screening brings in the child module and the child rule: its profile, as the set's
    scoring version reads an unknown age (a child in 2026.1, an adult in 2026.2), or an answer that
    says the person is or may be under 18 (:func:`~screening.core.scoring.signals_a_child`)."""
    if core_profile(screening).counts_as_child(content.scoring_for(indicator_set).unknown_age_is_child):
        return True
    return signals_a_child(indicator_set, screening.answers)


def child_module_ids(indicator_set: IndicatorSet) -> frozenset[str]:
    """The ids of the sections the child module adds (empty for a set without one)."""
    return frozenset(s.id for s in indicator_set.child_sections)


def section(indicator_set: IndicatorSet, section_id: str, *, child: bool) -> Section:
    """One of the sections a screening walks through; ``KeyError`` if it is not one of them."""
    for candidate in indicator_set.sections_for(child):
        if candidate.id == section_id:
            return candidate
    raise KeyError(section_id)


def create_draft(
    db: Session,
    indicator_set: IndicatorSet,
    *,
    start_key: str,
    locale: str,
    second_language: str | None,
    institution: str,
    role: str,
    user: Actor | None = None,
) -> Screening:
    existing = db.scalars(select(Screening).where(Screening.start_key == start_key)).first()
    if existing is not None:
        return existing
    screening = Screening(
        start_key=start_key,
        token=secrets.token_urlsafe(24),
        status=DRAFT,
        set_id=indicator_set.id,
        set_version=indicator_set.version,
        locale=locale,
        second_language=second_language or None,
        institution=institution,
        role=role,
        step=SAFETY_STEP,
        profile={},
        answers={},
        created_by_id=user.id if user else None,
    )
    db.add(screening)
    try:
        db.flush()
        audit.record(
            db, "screening_created", actor=_name(user), object_type="screening", object_id=screening.id, commit=False
        )
        db.commit()
    except IntegrityError:
        # A concurrent request with the same start key won the race: use its screening.
        db.rollback()
        return db.scalars(select(Screening).where(Screening.start_key == start_key)).one()
    return screening


def _name(user: Actor | None) -> str | None:
    return user.username if user else None


#: Built once: every page of a screening begins with it.
_BY_TOKEN = select(Screening).where(Screening.token == bindparam("token"))


def find(db: Session, token: str) -> Screening | None:
    return db.scalars(_BY_TOKEN, {"token": token}).first()


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, its number (from 1) and how many pages there are (at least 1)."""

    rows: list[Screening]
    number: int
    pages: int
    total: int


def _page(db: Session, query: Any, number: int, size: int) -> Page:
    """Page ``number`` of ``query``'s rows; a number past the end gives the last page."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    rows = list(db.scalars(query.limit(size).offset((number - 1) * size)))
    return Page(rows=rows, number=number, pages=pages, total=total)


def institution_screenings(db: Session, institution: str, *, page: int = 1, size: int = 25) -> Page:
    """The institution's completed, not erased screenings, newest first."""
    query = (
        select(Screening)
        .where(Screening.institution == institution, Screening.status == COMPLETED, Screening.erased_at.is_(None))
        .order_by(Screening.completed_at.desc(), Screening.id.desc())
    )
    return _page(db, query, page, size)


def own_drafts(db: Session, user: Actor, *, page: int = 1, size: int = 25) -> Page:
    """The unfinished screenings this user started (never another user's), last touched first.

    Erased drafts (retention, or discarded) and completed screenings are not among them; nor are
    drafts of an institution the user no longer belongs to, which the user could not open.
    """
    query = (
        select(Screening)
        .where(
            Screening.created_by_id == user.id,
            Screening.institution == user.institution,
            Screening.status == DRAFT,
            Screening.erased_at.is_(None),
        )
        .order_by(Screening.updated_at.desc(), Screening.id.desc())
    )
    return _page(db, query, page, size)


@dataclass(frozen=True)
class Progress:
    """How far a draft has come: the page it was left on and how many questions have an answer."""

    step: str
    position: int
    steps: int
    answered: int
    questions: int


def draft_progress(content: Content, screening: Screening) -> Progress | None:
    """Where to resume a draft and how far it is; ``None`` when its set version is no longer loaded."""
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    if indicator_set is None:
        return None
    child = counts_as_child(content, indicator_set, screening)
    order = steps(indicator_set, child=child)
    step = screening.step if screening.step in order else SAFETY_STEP
    asked = indicator_set.indicators_for(child)
    answered = sum(1 for i in asked if screening.answers.get(i.id, "not_asked") != "not_asked")
    return Progress(
        step=step, position=order.index(step) + 1, steps=len(order), answered=answered, questions=len(asked)
    )


def _claim(db: Session, screening: Screening, *conditions: Any) -> bool:
    """Lock the screening's row for the rest of the transaction if it still meets ``conditions``,
    and re-read it; False (nothing locked, nothing read) if it no longer does.

    Begins with an UPDATE rather than a SELECT so that it works alike on both databases: on
    PostgreSQL the UPDATE takes the row lock (a concurrent writer waits, then re-checks the
    conditions against the row as the other committed it); on SQLite it takes the database's write
    lock at once. Either way the check, the re-read and the write that follows are one transaction.
    """
    claimed = db.execute(
        update(Screening)
        .where(Screening.id == screening.id, *conditions)
        .values(status=Screening.status)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return False
    db.refresh(screening)  # a plain SELECT costs less than the ORM's UPDATE ... RETURNING path
    return True


#: The screenings table, for the statements built once below (Core: no ORM bookkeeping per write).
_TABLE: Table = Screening.__table__  # type: ignore[assignment]
_ROWS = _TABLE.c


def _if_unchanged(statement: Update) -> Update:
    """``statement`` restricted to the draft row this request read: still a draft, not erased, and
    not written since (its ``updated_at``, set by every write, serves as the row's version)."""
    return statement.where(
        _ROWS.id == bindparam("row_id"),
        _ROWS.status == DRAFT,
        _ROWS.erased_at.is_(None),
        _ROWS.updated_at == bindparam("seen"),
    )


#: A section save: the draft's answers and step.
_SAVE_PAGE = _if_unchanged(update(_TABLE)).values(
    answers=bindparam("v_answers"), step=bindparam("v_step"), updated_at=bindparam("v_updated_at")
)


def _write_if_unchanged(db: Session, screening: Screening, answers: dict[str, str], step: str) -> bool:
    """Write the answers and step in one statement if the row is still the draft this request read
    (:func:`_if_unchanged`), and commit. Otherwise nothing is written here and the caller takes the
    locking path (:func:`_claim_draft`) in the same transaction. ``screening`` then holds the row
    as written, without reading it back."""
    values = {"answers": answers, "step": step, "updated_at": utcnow()}
    written = db.execute(
        _SAVE_PAGE, {"row_id": screening.id, "seen": screening.updated_at, **{f"v_{k}": v for k, v in values.items()}}
    )
    if not written.rowcount:  # type: ignore[attr-defined]
        return False
    db.commit()
    for name, value in values.items():
        set_committed_value(screening, name, value)
    return True


def _claim_draft(db: Session, screening: Screening) -> bool:
    """Claim the row if it is still a draft; otherwise end the transaction and show the row as it is."""
    if _claim(db, screening, Screening.status == DRAFT, Screening.erased_at.is_(None)):
        return True
    db.commit()  # releases SQLite's write lock; nothing was written
    db.refresh(screening)
    return False


def save_answers(db: Session, screening: Screening, answers: dict[str, str], step: str) -> bool:
    """Merge one page's answers into the draft and remember where the screener is.

    False, with nothing saved, when the screening is no longer a draft: a completed screening never
    changes, even when this page was sent before another tab's final submission won. Usually one
    UPDATE (:func:`_write_if_unchanged`); when another request wrote the row since this one read
    it, the row is claimed and re-read and the answers merged into what it holds now."""
    if _write_if_unchanged(db, screening, {**screening.answers, **answers}, step):
        return True
    if not _claim_draft(db, screening):
        return False
    screening.answers = {**screening.answers, **answers}
    screening.step = step
    db.commit()
    return True


def save_profile(db: Session, screening: Screening, profile: dict[str, Any], step: str) -> bool:
    """Store the draft's profile; False, with nothing saved, when it is no longer a draft."""
    if not _claim_draft(db, screening):
        return False
    screening.profile = profile
    screening.step = step
    db.commit()
    return True


def set_person_language(db: Session, screening: Screening, language: str) -> bool:
    """Store the language the person is asked in (an interviewee or content language) on the draft;
    False, with nothing saved, when it is no longer a draft."""
    if not _claim_draft(db, screening):
        return False
    screening.second_language = language
    db.commit()
    return True


def interviewee_record(content: Content, screening: Screening) -> dict[str, Any] | None:
    """Which interviewee language the person was asked in and its review status, as the result keeps it."""
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    texts = content.interviewee_texts(indicator_set, screening.second_language) if indicator_set else None
    if texts is None:
        return None
    return {
        "language": texts.language,
        "review_status": texts.status,
        "reviewed_by": texts.reviewed_by,
        "reviewed_on": texts.reviewed_on.isoformat() if texts.reviewed_on else None,
    }


def core_profile(screening: Screening) -> Profile:
    """The core's profile from the stored one. Screenings stored before the age estimate (2026.1
    profiles with ``age_unknown`` / ``age_uncertain``) read exactly as they did."""
    stored = screening.profile or {}
    nationality = stored.get("nationality", "unknown")
    return Profile(
        age=None if stored.get("age_unknown") else stored.get("age"),
        age_uncertain=bool(stored.get("age_uncertain")),
        age_estimate=stored.get("age_estimate") or None,
        foreign_national={"kosovo": False, "other": True}.get(nationality),
        asylum_seeker=stored.get("asylum_seeker") == "yes",
        municipality=stored.get("municipality") or None,
        consent=screening.consent,
    )


def _assess(content: Content, screening: Screening) -> Assessment:
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    assert indicator_set is not None, "a stored screening refers to a loaded set version"
    return assess(content, indicator_set, screening.answers, core_profile(screening), screening.rules_version)


def _stored_result(content: Content, screening: Screening, assessment: Assessment) -> dict[str, Any]:
    """The result with the texts it shows, so the slip re-renders identically later."""
    indicator_set = content.get_set(screening.set_id, screening.set_version)
    assert indicator_set is not None
    scoring = content.scoring_for(indicator_set)
    data = assessment.result.to_dict()
    data["level_label"] = dict(scoring.outcome(assessment.result.level_key).label)
    data["observed"] = [
        {"id": i.id, "text": dict(i.text), "dimension": i.dimension, "strength": i.strength(assessment.result.child)}
        for i in indicator_set.indicators
        if i.id in assessment.result.yes
    ]
    data["dimension_names"] = {
        d.dimension: dict(scoring.dimension_names[d.dimension]) for d in assessment.result.dimensions
    }
    data["form_names"] = {f: dict(scoring.form_names[f]) for f in assessment.result.forms}
    interviewee = interviewee_record(content, screening)
    if interviewee is not None:
        data["interviewee"] = interviewee
    return data


def _stored_referrals(content: Content, assessment: Assessment) -> list[dict[str, Any]]:
    directory = content.directory
    stored = []
    for referral in assessment.referrals:
        contact = directory.contacts[referral.contact]
        name, phone = dict(contact.name), contact.phone
        if contact.per_municipality and referral.municipality:
            municipality = directory.municipalities[referral.municipality]
            name = {lang: f"{contact.name[lang]} – {municipality.name[lang]}" for lang in CONTENT_LANGUAGES}
            phone = municipality.csw_phone
        stored.append(
            {
                "contact": referral.contact,
                "priority": referral.priority,
                "name": name,
                "phone": phone,
                "reasons": [dict(r) for r in referral.reasons],
                "rules": list(referral.rules),
                "sop": list(referral.sop),
            }
        )
    return stored


def new_slip_number(now: dt.datetime) -> str:
    """The day and six random hex digits: short enough to read out on the phone, random so that it
    tells nothing of how many screenings there were (two of one day may draw the same: see
    :func:`_free_slip_number`)."""
    return f"{now:%Y%m%d}-{secrets.token_hex(3).upper()}"


def _free_slip_number(db: Session, values: dict[str, Any]) -> None:
    """Draw the slip number again while another screening holds it (at 100 screenings a day, about
    once in nine years). Called with the row claimed: on SQLite the write lock makes the check and the
    write one step; on PostgreSQL two completions would have to draw the same digits at once."""
    for _attempt in range(20):
        taken = db.scalar(select(Screening.id).where(Screening.slip_number == values["slip_number"]).limit(1))
        if taken is None:
            return
        values["slip_number"] = new_slip_number(values["completed_at"])
    raise RuntimeError("no free slip number")  # 20 draws taken: the number space needs more digits


def completion_values(content: Content, screening: Screening, locale: str) -> dict[str, Any]:
    """Every column completion writes, scored from the answers and profile it writes with them."""
    assessment = _assess(content, screening)
    now = utcnow()
    return {
        "status": COMPLETED,
        "answers": screening.answers,
        "profile": screening.profile,
        "consent": screening.consent,
        "scoring_version": assessment.result.scoring_version,
        "rules_version": assessment.rules_version,
        "locale": locale,
        "result": _stored_result(content, screening, assessment),
        "referrals": _stored_referrals(content, assessment),
        "slip_number": new_slip_number(now),
        "completed_at": now,
        "updated_at": now,
        "step": "result",
    }


def referrals_now(content: Content, screening: Screening) -> list[dict[str, Any]]:
    """The referrals re-derived from what ``screening`` holds now (its consent may have changed)."""
    return _stored_referrals(content, _assess(content, screening))


def complete(db: Session, content: Content, screening: Screening, locale: str, user: Actor | None = None) -> bool:
    """Score and store; True for the one request whose completion won.

    Idempotent: a double tap, a retry or a concurrent submission finds the screening complete and
    changes nothing. The answers scored are always the answers stored with the result: usually
    the completion is written at once, on condition that nobody wrote the row since this request
    read it (its ``updated_at``); otherwise (a section save of another tab raced this submission,
    or another completion drew the same slip number at that moment) the row is claimed and
    re-read first and scored again."""
    if screening.completed:
        return False
    try:
        if _store_completion(db, content, screening, locale, user, claimed=False):
            return True
    except IntegrityError:
        db.rollback()  # the same number was drawn for another slip: draw again on the locking path
    if not _claim_draft(db, screening):
        return False
    _store_completion(db, content, screening, locale, user, claimed=True)
    return True


#: The columns completion writes (:func:`completion_values`), each from a parameter ``v_<column>``.
_COMPLETED_COLUMNS = (
    "status", "answers", "profile", "consent", "scoring_version", "rules_version", "locale", "result",
    "referrals", "slip_number", "completed_at", "updated_at", "step",
)  # fmt: skip
_COMPLETED_VALUES: dict[str, Any] = {column: bindparam(f"v_{column}") for column in _COMPLETED_COLUMNS}
_COMPLETE_IF_UNCHANGED = _if_unchanged(update(_TABLE)).values(_COMPLETED_VALUES)
#: On the locking path: the row is claimed (:func:`_claim_draft`), so only the draft's id is needed.
_COMPLETE_CLAIMED = (
    update(_TABLE).where(_ROWS.id == bindparam("row_id"), _ROWS.status == DRAFT).values(_COMPLETED_VALUES)
)


def _store_completion(
    db: Session, content: Content, screening: Screening, locale: str, user: Actor | None, *, claimed: bool
) -> bool:
    """Write the completion of a draft: one UPDATE, the statistics row, one audit row, one commit;
    ``screening`` then holds the row as written.

    Unless the row is ``claimed``, the UPDATE is on condition that the row is the draft this
    request read (:func:`_if_unchanged`), and the slip number's unique index checks the number
    drawn. False, with nothing written and the transaction open, when the row changed since."""
    values = completion_values(content, screening, locale)
    if claimed:
        _free_slip_number(db, values)
    statement = _COMPLETE_CLAIMED if claimed else _COMPLETE_IF_UNCHANGED
    parameters = {"row_id": screening.id, "seen": screening.updated_at}
    parameters.update((f"v_{column}", values[column]) for column in _COMPLETED_COLUMNS)
    done = db.execute(statement, parameters)
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    statistics_db.write(db, stat_row(screening, values), screening.id)
    audit.record(
        db, "screening_completed", actor=_name(user), object_type="screening", object_id=screening.id, commit=False
    )
    db.commit()
    for name, value in values.items():
        set_committed_value(screening, name, value)
    return True


CREATED, REPEATED, CONFLICT = "created", "repeated", "conflict"


def create_completed(
    db: Session,
    content: Content,
    indicator_set: IndicatorSet,
    *,
    start_key: str,
    request_hash: str,
    fields: dict[str, Any],
    locale: str,
    institution: str,
    user: Actor,
) -> tuple[Screening, str]:
    """Create and complete a screening in one transaction (the API's create), idempotent by start key.

    ``fields`` are the draft's answers, profile and consent. Returns the screening and
    :data:`CREATED` for the one request whose insert won, :data:`REPEATED` for a repeat of its body
    (``request_hash``), :data:`CONFLICT` for a repeat with another body or of an erased screening.
    """
    screening = Screening(
        start_key=start_key,
        request_hash=request_hash,
        token=secrets.token_urlsafe(24),
        set_id=indicator_set.id,
        set_version=indicator_set.version,
        second_language=None,
        institution=institution,
        role="first_contact_officer",
        created_by_id=user.id,
        **fields,
    )
    values = completion_values(content, screening, locale)
    _free_slip_number(db, values)
    for column, value in values.items():
        setattr(screening, column, value)
    db.add(screening)
    try:
        db.flush()
    except IntegrityError:
        # The same key won before (or is winning now: PostgreSQL waits for its commit).
        db.rollback()
        return _repeat(db, content, start_key, request_hash, fields, locale, user)
    statistics_db.write(db, stat_row(screening, {}), screening.id)
    for action in ("screening_created", "screening_completed"):
        audit.record(db, action, actor=user.username, object_type="screening", object_id=screening.id, commit=False)
    db.commit()
    db.refresh(screening)  # as a repeat will read it
    return screening, CREATED


def _repeat(
    db: Session,
    content: Content,
    start_key: str,
    request_hash: str,
    fields: dict[str, Any],
    locale: str,
    user: Actor,
) -> tuple[Screening, str]:
    """A repeat of an API create: the stored screening, and whether the repeat matches its first body."""
    existing = db.scalars(select(Screening).where(Screening.start_key == start_key)).one()
    # A screening stored before request hashes were kept (NULL) is taken as a repeat, as it was then.
    if existing.erased_at is not None or existing.request_hash not in (None, request_hash):
        return existing, CONFLICT
    if existing.completed:
        return existing, REPEATED
    # A draft left by an older version that stopped between its two steps: complete it now.
    if not _claim_draft(db, existing):
        return existing, REPEATED if existing.completed else CONFLICT
    for column, value in {**fields, "request_hash": request_hash}.items():
        setattr(existing, column, value)
    _store_completion(db, content, existing, locale, user, claimed=True)
    return existing, CREATED


def record_consent(
    db: Session, content: Content, screening: Screening, consent: str, informed: bool, user: Actor | None = None
) -> bool:
    """Record consent and information; the referral rules may depend on consent.

    Only on a completed screening that is not erased; the referrals are re-derived, in the same
    transaction, from the answers the row holds."""
    if not _claim(db, screening, Screening.status == COMPLETED, Screening.erased_at.is_(None)):
        db.commit()
        db.refresh(screening)
        return False
    screening.consent = consent
    screening.informed_of_rights = informed
    screening.referrals = referrals_now(content, screening)
    statistics_db.replace_referrals(db, screening.id, _pairs(screening.referrals))
    screening.updated_at = utcnow()
    audit.record(db, "consent_recorded", actor=_name(user), object_type="screening", object_id=screening.id)
    return True


def erase(db: Session, screening: Screening, *, actor: str | None, reason: str) -> None:
    """Erase the answers, profile, case reference, result and referrals, and the laid-out slips.

    The anonymous counts are the screening's statistics row (``statistics_db``), written at
    completion: it stays, and is no longer linked to the screening."""
    if screening.erased_at is not None or not _claim(db, screening, Screening.erased_at.is_(None)):
        return
    screening.answers = {}
    screening.profile = {}
    screening.request_hash = None
    screening.result = None
    screening.referrals = None
    screening.consent = "not_recorded"
    screening.informed_of_rights = None
    screening.erased_at = utcnow()
    statistics_db.unlink(db, screening.id)
    slip_pdfs.forget(db, screening.id)
    audit.record(
        db,
        "screening_erased",
        actor=actor,
        object_type="screening",
        object_id=screening.id,
        outcome=reason,
        commit=False,
    )


def stat_row(screening: Screening, completion: dict[str, Any]) -> Row:
    """What statistics may know of a screening being completed: ``completion`` holds the columns
    completion writes (see :func:`_completion`), read from ``screening`` where it is empty."""

    def value(column: str) -> Any:
        return completion[column] if column in completion else getattr(screening, column)

    result, profile = value("result") or {}, value("profile") or {}
    coarse = coarse_profile(profile)
    return Row(
        month=month_of(value("completed_at")),
        institution=screening.institution,
        municipality=profile.get("municipality") or "unknown",
        set_id=screening.set_id,
        level=int(result.get("level", 0)),
        sex=coarse["sex"],
        age_group=coarse["age_group"],
        origin=coarse["origin"],
        forms=tuple(result.get("forms", ())),
        referrals=_pairs(value("referrals")),
    )


def _pairs(referrals: list[dict[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((r["contact"], r["priority"]) for r in referrals or [])


def purge(db: Session, *, retention_days: int, actor: str | None = None) -> int:
    """Erase every screening past the retention period. Idempotent; returns how many.

    A completed screening counts from its creation; an unfinished one from its last change, so a
    draft being worked on is kept and one left untouched for the whole period goes like the rest.
    """
    cutoff = utcnow() - dt.timedelta(days=retention_days)
    expired = or_(
        (Screening.status == COMPLETED) & (Screening.created_at < cutoff),
        (Screening.status == DRAFT) & (Screening.updated_at < cutoff),
    )
    due = db.scalars(select(Screening).where(Screening.erased_at.is_(None), expired)).all()
    for screening in due:
        erase(db, screening, actor=actor, reason="retention")
    audit.record(db, "purge", actor=actor, outcome=f"erased {len(due)}", commit=False)
    db.commit()
    return len(due)
