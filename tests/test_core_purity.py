"""The domain core imports neither Flask nor SQLAlchemy, so the CLI, web and training share it."""

import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "screening" / "core"


def test_core_modules_import_no_web_or_database_library() -> None:
    modules = sorted(f"screening.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "banned = ('flask', 'sqlalchemy', 'flask_babel', 'wtforms')\n"
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in banned)\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"screening.core pulled in: {out.stdout.strip()}"
    assert len(modules) >= 8
