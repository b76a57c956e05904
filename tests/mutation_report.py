"""Per-module result of the last ``mutmut run`` (``make mutation``): killed share and survivors.

Reads mutmut's own result files (``mutants/<module>.py.meta``). A timeout counts as killed (an
endless loop is noticed). Exits non-zero when a module is below the bar (``--min``, default 90 %)
or when a mutant was not checked. Survivors judged equivalent are listed in tests/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout"}
LABELS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 35: "suspicious", None: "not checked"}


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["mutmut"]["only_mutate"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="lowest killed share per module, in %%")
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    args = parser.parse_args()
    failing = False
    rows = []
    survivors: list[tuple[str, str]] = []
    readme = (ROOT / "tests" / "README.md").read_text(encoding="utf-8")
    for module in modules():
        meta = args.mutants / f"{module}.meta"
        if not meta.is_file():
            print(f"{module}: no results ({meta} missing): run `make mutation`", file=sys.stderr)
            failing = True
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        killed = sum(1 for code in codes.values() if code in KILLED)
        total = len(codes)
        share = 100.0 * killed / total if total else 100.0
        for name, code in sorted(codes.items()):
            if code not in KILLED:
                survivors.append((name, LABELS.get(code, f"exit {code}")))
                failing |= code is None
        failing |= share < args.min
        rows.append((module, total, killed, total - killed, share))
    width = max((len(r[0]) for r in rows), default=10)
    print(f"{'module':<{width}}  mutants  killed  survived  killed %")
    for module, total, killed, survived, share in rows:
        flag = "" if share >= args.min else f"  < {args.min:g} %"
        print(f"{module:<{width}}  {total:>7}  {killed:>6}  {survived:>8}  {share:>7.1f}{flag}")
    if rows:
        total = sum(r[1] for r in rows)
        killed = sum(r[2] for r in rows)
        print(f"{'all':<{width}}  {total:>7}  {killed:>6}  {total - killed:>8}  {100.0 * killed / total:>7.1f}")
    if survivors:
        print("\nNot killed (see tests/README.md for the ones judged equivalent; `mutmut show NAME`):")
        for name, label in survivors:
            judged = f"`{name.removeprefix('screening.core.')}`" in readme
            print(f"  {name}  [{label}{', equivalent (README)' if judged else ''}]")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
