"""Statistics get their own narrow tables, written at completion, and counted by the database.

``screening_stats`` holds one row per completed screening (month, institution, municipality, set,
level, sex, age group, origin), ``screening_stat_forms`` and ``screening_stat_referrals`` its
forms and referrals, ``screening_stat_counts`` how many rows of each month, institution and set
fall in each cell of each dashboard table. The upgrade fills them from every completed screening, erased ones included
(which kept these fields in their result and referrals), then clears what erased screenings kept:
the statistics rows are now the only anonymous counts. The rows of erased screenings are not
linked to them.

The downgrade drops the tables and cannot give erased screenings back what they kept, so their
counts are lost to an older version.

Revision ID: 0011
Revises: 0010
"""

import datetime as dt
import secrets
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: Frozen copies of the rules of this version (``screening.statistics``), so that later changes to
#: the code never change what this migration wrote.
AGE_GROUPS = (
    ("under_18", 0, 17),
    ("18_22", 18, 22),
    ("23_25", 23, 25),
    ("26_30", 26, 30),
    ("31_35", 31, 35),
    ("36_40", 36, 40),
    ("over_40", 41, 200),
)
UNKNOWN = "unknown"
BATCH = 1000
StatId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "screening_stats",
        sa.Column("id", StatId, primary_key=True, autoincrement=False),
        sa.Column("screening_id", sa.Integer(), sa.ForeignKey("screenings.id", ondelete="SET NULL"), unique=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("institution", sa.String(40), nullable=False),
        sa.Column("municipality", sa.String(40), nullable=False),
        sa.Column("set_id", sa.String(40), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("sex", sa.String(20), nullable=False),
        sa.Column("age_group", sa.String(20), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
    )
    op.create_index("ix_screening_stats_month", "screening_stats", ["month"])
    op.create_table(
        "screening_stat_forms",
        sa.Column("stat_id", StatId, sa.ForeignKey("screening_stats.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("form", sa.String(40), primary_key=True),
    )
    op.create_table(
        "screening_stat_referrals",
        sa.Column("stat_id", StatId, sa.ForeignKey("screening_stats.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("contact", sa.String(40), primary_key=True),
        sa.Column("priority", sa.String(16), nullable=False),
    )
    op.create_table(
        "screening_stat_counts",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("institution", sa.String(40), primary_key=True),
        sa.Column("set_id", sa.String(40), primary_key=True),
        sa.Column("table_name", sa.String(30), primary_key=True),
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("screenings", sa.Integer(), nullable=False),
    )
    backfill(op.get_bind())
    op.execute(COUNTS_FROM_ROWS)


def downgrade() -> None:
    op.drop_table("screening_stat_counts")
    op.drop_table("screening_stat_referrals")
    op.drop_table("screening_stat_forms")
    op.drop_index("ix_screening_stats_month", "screening_stats")
    op.drop_table("screening_stats")


SCREENINGS = sa.table(
    "screenings",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("institution", sa.String()),
    sa.column("set_id", sa.String()),
    sa.column("completed_at", sa.DateTime(timezone=True)),
    sa.column("erased_at", sa.DateTime(timezone=True)),
    sa.column("profile", sa.JSON()),
    sa.column("result", sa.JSON()),
    sa.column("referrals", sa.JSON()),
)
STATS_COLUMNS = ("id", "screening_id", "month", "institution", "municipality", "set_id", "level", "sex", "age_group")
STATS = sa.table("screening_stats", *(sa.column(c) for c in (*STATS_COLUMNS, "origin")))
FORMS = sa.table("screening_stat_forms", sa.column("stat_id"), sa.column("form"))
REFERRALS = sa.table("screening_stat_referrals", sa.column("stat_id"), sa.column("contact"), sa.column("priority"))


#: The counts of each table per month, institution and set, grouped from the rows just written.
COUNTS_FROM_ROWS = """
INSERT INTO screening_stat_counts (month, institution, set_id, table_name, key, screenings)
SELECT month, institution, set_id, 'by_level', CAST(level AS VARCHAR(1)), count(*)
  FROM screening_stats GROUP BY month, institution, set_id, level
UNION ALL SELECT month, institution, set_id, 'by_municipality', municipality, count(*)
  FROM screening_stats GROUP BY month, institution, set_id, municipality
UNION ALL SELECT month, institution, set_id, 'by_referral', contact || ':' || priority, count(*)
  FROM screening_stats JOIN screening_stat_referrals ON stat_id = id
  GROUP BY month, institution, set_id, contact, priority
UNION ALL SELECT month, institution, set_id, 'serious_by_sex', sex, count(*)
  FROM screening_stats WHERE level IN (2, 3) GROUP BY month, institution, set_id, sex
UNION ALL SELECT month, institution, set_id, 'serious_by_age', age_group, count(*)
  FROM screening_stats WHERE level IN (2, 3) GROUP BY month, institution, set_id, age_group
UNION ALL SELECT month, institution, set_id, 'serious_by_origin', origin, count(*)
  FROM screening_stats WHERE level IN (2, 3) GROUP BY month, institution, set_id, origin
UNION ALL SELECT month, institution, set_id, 'serious_by_form', form, count(*)
  FROM screening_stats JOIN screening_stat_forms ON stat_id = id
  WHERE level IN (2, 3) GROUP BY month, institution, set_id, form
"""


def backfill(connection: sa.Connection) -> None:
    """One statistics row per completed screening, read and written a batch at a time."""
    query = (
        sa.select(SCREENINGS)
        .where(SCREENINGS.c.status == "completed")
        .order_by(SCREENINGS.c.id)
        .execution_options(yield_per=BATCH)
    )
    for batch in _batches(connection.execute(query)):
        rows, forms, referrals = [], [], []
        for screening in batch:
            stat_id = secrets.randbits(62) or 1
            rows.append({"id": stat_id, **_fields(screening)})
            result = screening.result or {}
            forms += [{"stat_id": stat_id, "form": f} for f in dict.fromkeys(result.get("forms") or ())]
            pairs = {r["contact"]: r["priority"] for r in screening.referrals or []}
            referrals += [{"stat_id": stat_id, "contact": c, "priority": p} for c, p in pairs.items()]
        connection.execute(sa.insert(STATS), rows)
        if forms:
            connection.execute(sa.insert(FORMS), forms)
        if referrals:
            connection.execute(sa.insert(REFERRALS), referrals)
    connection.execute(
        sa.update(SCREENINGS).where(SCREENINGS.c.erased_at.is_not(None)).values(result=None, referrals=None)
    )


def _batches(result: Any) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for line in result:
        batch.append(line)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _fields(screening: Any) -> dict[str, Any]:
    """The row's columns, as the version before this one read them (``operations._row``)."""
    result = screening.result or {}
    profile = screening.profile or {}
    erased = screening.erased_at is not None
    coarse = result.get("coarse") or _coarse(profile)
    municipality = result.get("municipality") if erased else profile.get("municipality")
    completed = screening.completed_at
    return {
        "screening_id": None if erased else screening.id,
        "month": _month(completed) if completed else UNKNOWN,
        "institution": screening.institution,
        "municipality": municipality or UNKNOWN,
        "set_id": screening.set_id,
        "level": int(result.get("level", 0)),
        "sex": coarse["sex"],
        "age_group": coarse["age_group"],
        "origin": coarse["origin"],
    }


def _month(moment: dt.datetime) -> str:
    return (moment.astimezone(dt.UTC) if moment.tzinfo else moment).strftime("%Y-%m")


def _coarse(profile: Mapping[str, Any]) -> dict[str, str]:
    nationality = profile.get("nationality")
    origin = "XK" if nationality == "kosovo" else (profile.get("country") or UNKNOWN)
    age = None if profile.get("age_unknown") else profile.get("age")
    group = UNKNOWN if age is None else next((k for k, low, high in AGE_GROUPS if low <= age <= high), UNKNOWN)
    return {"sex": profile.get("sex") or UNKNOWN, "age_group": group, "origin": origin}
