"""Every CSV the app writes, made safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice (``=cmd|' /C calc'!A0`` runs a program), so such a cell gets a leading
apostrophe, which spreadsheets show as text. Numbers stay numbers: a count of -3 is written as -3.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The cell as a spreadsheet will show it, never run it: text that starts a formula gets a "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]], batch: int = 500) -> Iterator[str]:
    """The CSV's text, a few hundred lines at a time, every text cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for number, row in enumerate(rows, 1):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
        if number % batch == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[object]], filename: str, *, stream: bool = False
) -> Response:
    """A CSV download with every text cell made safe. With ``stream``, written as ``rows`` are read,
    after the view has returned: such rows must not need the request (nor its database session)."""
    lines = csv_lines(header, rows)
    response = Response(lines if stream else "".join(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
