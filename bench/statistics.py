"""Statistics benchmark: the dashboard, each of its CSVs and the record export over a national archive.

Run on demand, never in pass/fail tests (see bench/README.md)::

    .venv/bin/python bench/statistics.py [--db sqlite|postgresql|both] [--postgres-rows N] [--sqlite-rows N]

For each database it makes a fresh one (SQLite in a temporary folder; PostgreSQL: a new database on
the local server, dropped afterwards), migrates it, and bulk-loads the statistics rows of completed
screenings (1,000,000 on PostgreSQL with COPY, 100,000 on SQLite) spread as a national archive
would be: three years of months, growing; every institution, each with its usual sets; the 38
municipalities, the large ones more often; levels, sex, age groups and origins in realistic
shares; forms of exploitation for the serious cases; referrals by level. Then a fresh worker
process (the app, as a gunicorn worker runs it, driven through Flask's test client by a logged-in
supervisor and admin) times a trivial ``SELECT count(*)`` (the baseline), the dashboard, a filtered
dashboard, each statistics CSV and the streamed record export, and reports its peak resident
memory before the first statistics request and after the last. Results go to
``bench/results/statistics-<UTC timestamp>.json`` and ``bench/results/statistics-latest.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its http.py would hide the standard
# library's ``http`` package (and this file the ``statistics`` module): drop it, add the project.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from bench._common import database  # noqa: E402

RESULTS = HERE / "results"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ROWS = {"postgresql": 1_000_000, "sqlite": 100_000}
TARGET_S = 1.0  # the dashboard and each CSV, on PostgreSQL at 1,000,000 and on SQLite at 100,000
REPEATS = 3  # each timed request, the median is reported
CHUNK = 50_000
PASSWORD = "tablet river lantern 42"

TABLES = (
    "by_month",
    "by_institution",
    "by_municipality",
    "by_set",
    "by_level",
    "by_referral",
    "serious_by_sex",
    "serious_by_age",
    "serious_by_origin",
    "serious_by_form",
)

# --- a national archive, made up -----------------------------------------------------------------

INSTITUTIONS = {  # share of screenings, and the sets each works with
    "police": (0.34, {"general": 0.8, "child": 0.1, "migrants": 0.1}),
    "border_police": (0.14, {"general": 0.5, "migrants": 0.5}),
    "customs": (0.03, {"general": 1.0}),
    "health": (0.13, {"health": 0.85, "child": 0.15}),
    "labour_inspectorate": (0.11, {"labour": 0.9, "child": 0.1}),
    "csw": (0.12, {"child": 0.7, "general": 0.3}),
    "asylum_centre": (0.05, {"migrants": 1.0}),
    "detention_centre": (0.02, {"migrants": 0.6, "general": 0.4}),
    "ngo": (0.04, {"general": 0.6, "child": 0.4}),
    "other": (0.02, {"general": 1.0}),
}
LEVELS = {0: 0.55, 1: 0.25, 2: 0.12, 3: 0.08}
SEXES = {"female": 0.56, "male": 0.39, "not_stated": 0.03, "unknown": 0.02}
AGE_GROUPS = {
    "under_18": 0.22,
    "18_22": 0.2,
    "23_25": 0.13,
    "26_30": 0.14,
    "31_35": 0.1,
    "36_40": 0.08,
    "over_40": 0.1,
    "unknown": 0.03,
}
ORIGINS = {"XK": 0.7, "AL": 0.08, "RS": 0.04, "MK": 0.03, "TR": 0.02, "SY": 0.03, "AF": 0.03, "BD": 0.02}
ORIGINS |= {"NP": 0.01, "UA": 0.01, "MD": 0.01, "unknown": 0.02}
FORMS = {
    "prostitution": 0.35,
    "forced_labour": 0.2,
    "begging": 0.15,
    "domestic_servitude": 0.08,
    "forced_criminality": 0.06,
    "forced_marriage": 0.06,
    "pornography": 0.05,
    "slavery": 0.02,
    "sale_of_child": 0.02,
    "organ_removal": 0.01,
}
REFERRALS_BY_LEVEL = {  # (contact, priority, chance)
    0: [("csw", "routine", 0.15)],
    1: [("csw", "within_24h", 0.5), ("labour_inspectorate", "routine", 0.3), ("dcam", "routine", 0.2)],
    2: [("dithb", "within_24h", 0.95), ("vaao", "within_24h", 0.7), ("csw", "within_24h", 0.4)],
    3: [("dithb", "now", 1.0), ("vaao", "now", 0.9), ("csw", "now", 0.5), ("emergency_medical", "now", 0.1)],
}


def _months() -> tuple[list[str], list[float]]:
    """36 months to December 2026, each a little busier than the one before."""
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    return months, [1.0 + i / 18 for i in range(36)]


def _municipalities() -> tuple[list[str], list[float]]:
    from screening.core.loading import load_content

    keys = sorted(load_content(ROOT).directory.municipalities)
    big = {"prishtine": 12, "prizren": 8, "ferizaj": 5, "peje": 5, "gjilan": 4, "mitrovice": 4, "gjakove": 4}
    return keys, [float(big.get(k, 1)) for k in keys]


class Archive:
    """Made-up statistics rows, drawn with a fixed seed."""

    def __init__(self, seed: int = 13) -> None:
        self.rng = random.Random(seed)
        self.months, self.month_weights = _months()
        self.municipalities, self.municipality_weights = _municipalities()
        self.ids: set[int] = set()

    def pick(self, shares: dict[Any, float]) -> Any:
        return self.rng.choices(list(shares), weights=list(shares.values()))[0]

    def row(self) -> tuple[tuple[Any, ...], list[str], list[tuple[str, str]]]:
        rng = self.rng
        stat_id = rng.getrandbits(62) or 1
        while stat_id in self.ids:
            stat_id = rng.getrandbits(62) or 1
        self.ids.add(stat_id)
        institution = self.pick({k: share for k, (share, _sets) in INSTITUTIONS.items()})
        level = self.pick(LEVELS)
        forms: list[str] = []
        if level >= 2:
            forms = sorted({self.pick(FORMS) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))})
        referrals = [(c, p) for c, p, chance in REFERRALS_BY_LEVEL[level] if rng.random() < chance]
        row = (
            stat_id,
            rng.choices(self.months, weights=self.month_weights)[0],
            institution,
            rng.choices(self.municipalities, weights=self.municipality_weights)[0],
            self.pick(INSTITUTIONS[institution][1]),
            level,
            self.pick(SEXES),
            self.pick(AGE_GROUPS),
            self.pick(ORIGINS),
        )
        return row, forms, referrals


STAT_COLUMNS = ("id", "month", "institution", "municipality", "set_id", "level", "sex", "age_group", "origin")


def fill(url: str, rows: int) -> dict[str, Any]:
    """Bulk-load ``rows`` statistics rows (COPY on PostgreSQL, executemany on SQLite)."""
    from sqlalchemy import text

    from screening.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    archive = Archive()
    began = time.perf_counter()
    counts = {"screening_stats": 0, "screening_stat_forms": 0, "screening_stat_referrals": 0}
    for done in range(0, rows, CHUNK):
        chunk = [archive.row() for _ in range(min(CHUNK, rows - done))]
        stats = [row for row, _f, _r in chunk]
        forms = [(row[0], form) for row, fs, _r in chunk for form in fs]
        referrals = [(row[0], c, p) for row, _f, rs in chunk for c, p in rs]
        (_copy if engine.dialect.name == "postgresql" else _insert)(engine, stats, forms, referrals)
        counts["screening_stats"] += len(stats)
        counts["screening_stat_forms"] += len(forms)
        counts["screening_stat_referrals"] += len(referrals)
    loaded = time.perf_counter() - began
    from sqlalchemy.orm import Session

    from screening import statistics_db

    with Session(engine) as db:  # the counts a completion keeps up to date, made at once for the bulk load
        statistics_db.rebuild_counts(db)
        db.commit()
        counts["screening_stat_counts"] = db.scalar(text("SELECT count(*) FROM screening_stat_counts"))
    counted = time.perf_counter() - began - loaded
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return {"rows": counts, "load_s": round(loaded, 1), "counts_s": round(counted, 1)}


def _copy(engine: Any, stats: list[Any], forms: list[Any], referrals: list[Any]) -> None:
    connection = engine.raw_connection()
    try:
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            for table, columns, lines in (
                ("screening_stats", STAT_COLUMNS, stats),
                ("screening_stat_forms", ("stat_id", "form"), forms),
                ("screening_stat_referrals", ("stat_id", "contact", "priority"), referrals),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for line in lines:
                        copy.write_row(line)
        connection.commit()
    finally:
        connection.close()


def _insert(engine: Any, stats: list[Any], forms: list[Any], referrals: list[Any]) -> None:
    from sqlalchemy import text

    with engine.begin() as connection:
        names = ", ".join(STAT_COLUMNS)
        marks = ", ".join(f":{c}" for c in STAT_COLUMNS)
        connection.execute(
            text(f"INSERT INTO screening_stats ({names}) VALUES ({marks})"),
            [dict(zip(STAT_COLUMNS, row, strict=True)) for row in stats],
        )
        connection.execute(
            text("INSERT INTO screening_stat_forms (stat_id, form) VALUES (:s, :f)"),
            [{"s": s, "f": f} for s, f in forms],
        )
        connection.execute(
            text("INSERT INTO screening_stat_referrals (stat_id, contact, priority) VALUES (:s, :c, :p)"),
            [{"s": s, "c": c, "p": p} for s, c, p in referrals],
        )


# --- the worker ---------------------------------------------------------------------------------


def memory() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MB (from /proc)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found["rss_mb" if key == "VmRSS" else "peak_mb"] = round(int(value.split()[0]) / 1024, 1)
    return found


def reset_peak() -> None:
    """Start this process's peak resident memory (VmHWM) again from what it holds now (Linux 4.0+)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _timed(action: Any, repeats: int = REPEATS) -> dict[str, Any]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return {"median_s": round(statistics.median(times), 4), "runs_s": [round(t, 4) for t in times]}


def worker(url: str) -> dict[str, Any]:
    """The app in this process, driven as a supervisor and an admin would; timings and memory."""
    from sqlalchemy import func, select

    from screening import accounts
    from screening.app import create_app
    from screening.models import ScreeningStat
    from screening.web.vocabulary import INSTITUTIONS as NAMES
    from tests.conftest import Client, login

    folder = Path(tempfile.mkdtemp(prefix="statistics-bench-"))
    app = create_app({"env": "testing", "database_url": url}, instance_path=str(folder))
    with app.extensions["screening.sessionmaker"]() as db:
        for name, role in (("boss", "supervisor"), ("root", "admin")):
            accounts.create_user(
                db, name, role=role, institution="police", institutions=tuple(NAMES), actor="bench", password=PASSWORD
            )
    supervisor, admin = Client(app.test_client()), Client(app.test_client())
    for client, name in ((supervisor, "boss"), (admin, "root")):
        assert login(client, name, PASSWORD).status_code == 302

    def get(client: Any, path: str) -> None:
        response = client.client.get(path, headers=client.HEADERS)
        assert response.status_code == 200, (path, response.status_code)

    def baseline() -> None:
        with app.extensions["screening.sessionmaker"]() as db:
            db.scalar(select(func.count()).select_from(ScreeningStat))

    supervisor.client.get("/")  # the first request of a worker (templates, catalogs) is not what we time
    reset_peak()  # the logins' Argon2 hashes (64 MiB each) are not what we measure
    before = memory()
    report: dict[str, Any] = {"baseline_count": _timed(baseline)}
    report["dashboard"] = _timed(lambda: get(supervisor, "/admin/statistics"))
    filtered = "/admin/statistics?start=2026-01&end=2026-12&institution=police&set_id=general"
    report["dashboard_filtered"] = _timed(lambda: get(supervisor, filtered))
    for table in TABLES:
        report[f"csv_{table}"] = _timed(lambda table=table: get(supervisor, f"/admin/statistics/{table}.csv"))
    after_dashboard = memory()
    report["records_csv"] = _records(admin)
    report["memory"] = {"before": before, "after_dashboard": after_dashboard, "after": memory()}
    base = report["baseline_count"]["median_s"]
    for key, value in report.items():
        if isinstance(value, dict) and "median_s" in value and key != "baseline_count":
            value["x_baseline"] = round(value["median_s"] / base, 1) if base else None
    return report


def _records(admin: Any) -> dict[str, Any]:
    """The record export read as a client would, a chunk at a time (never held whole)."""
    began = time.perf_counter()
    response = admin.client.get("/admin/records.csv", headers=admin.HEADERS, buffered=False)
    size = lines = 0
    for chunk in response.response:
        data = chunk if isinstance(chunk, bytes) else chunk.encode()
        size += len(data)
        lines += data.count(b"\n")
    response.close()
    spent = time.perf_counter() - began
    return {
        "s": round(spent, 2),
        "records": lines - 1,
        "mb": round(size / 1e6, 1),
        "records_per_s": round((lines - 1) / spent),
    }


# --- running it ---------------------------------------------------------------------------------


def run_worker(url: str) -> dict[str, Any]:
    """The worker in a fresh interpreter, so that its memory is the app's, not the loader's."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", url], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench(kind: str, rows: int, postgres: str) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="statistics-bench-") as folder,
        database(kind, Path(folder), postgres, sqlite_file="statistics.sqlite", prefix="screening_bench_stats") as url,
    ):
        print(f"{kind}: loading {rows:,} rows ...", file=sys.stderr, flush=True)
        loaded = fill(url, rows)
        print(f"{kind}: loaded in {loaded['load_s']} s; measuring ...", file=sys.stderr, flush=True)
        return {"database": kind, "screenings": rows, **loaded, **run_worker(url)}


def postgres_reachable(url: str) -> bool:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url)
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def machine() -> dict[str, Any]:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu.group(1) if cpu else platform.processor(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def summary(report: dict[str, Any]) -> str:
    lines = []
    for result in report["results"]:
        lines.append(f"\n{result['database']}, {result['screenings']:,} screenings (target < {TARGET_S} s each)")
        lines.append(f"  {'baseline SELECT count(*)':<32} {result['baseline_count']['median_s'] * 1000:8.1f} ms")
        for key, value in result.items():
            if isinstance(value, dict) and "x_baseline" in value:
                verdict = "met" if value["median_s"] < TARGET_S else "MISSED"
                ms = value["median_s"] * 1000
                lines.append(f"  {key:<32} {ms:8.1f} ms  x{value['x_baseline']:<7} {verdict}")
        records = result["records_csv"]
        lines.append(f"  records.csv (streamed)           {records['s']:8.2f} s   {records['records']:,} records")
        mem = result["memory"]
        lines.append(
            f"  worker peak RSS: {mem['before']['peak_mb']} MB before, {mem['after_dashboard']['peak_mb']} MB after "
            f"the dashboard and CSVs, {mem['after']['peak_mb']} MB after the record export"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-rows", type=int, default=ROWS["postgresql"])
    parser.add_argument("--sqlite-rows", type=int, default=ROWS["sqlite"])
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    report: dict[str, Any] = {"started": f"{dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}", "machine": machine()}
    report["results"] = []
    for kind in kinds:
        if kind == "postgresql" and not postgres_reachable(args.postgres):
            if args.db == "postgresql":
                print(f"PostgreSQL not reachable at {args.postgres}", file=sys.stderr)
                return 1
            print("PostgreSQL not reachable: skipped", file=sys.stderr)
            continue
        rows = args.postgres_rows if kind == "postgresql" else args.sqlite_rows
        report["results"].append(bench(kind, rows, args.postgres))
    report["machine"]["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(report, indent=2)
    (RESULTS / f"statistics-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json").write_text(text + "\n")
    (RESULTS / "statistics-latest.json").write_text(text + "\n")
    print(summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
