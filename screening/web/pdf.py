"""HTML to PDF with WeasyPrint, for every printed document: the slip, the question sheets, the
paper forms.

WeasyPrint is imported only when a PDF is made, and each stylesheet is parsed once per process,
with its own font configuration (its ``@font-face`` rules register there). Documents are made one
at a time per process (``_ONE_AT_A_TIME``): the slip is also laid out ahead in a background thread
(``slip.render_ahead``), and the shared font configuration (Pango, fontconfig) is not known to be
safe to use from two threads at once.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from flask import current_app

_ONE_AT_A_TIME = threading.Lock()


def html_to_pdf(html: str, stylesheet: str) -> bytes:
    """``html`` as PDF with the static stylesheet ``stylesheet`` (e.g. ``"slip.css"``)."""
    with _ONE_AT_A_TIME:
        html_class, css, fonts = _tools(current_app.static_folder or "", stylesheet)
        return html_class(string=html).write_pdf(stylesheets=[css], font_config=fonts)  # type: ignore[no-any-return]


def laid_out(html: str, stylesheet: str) -> Any:
    """The laid-out document (its pages and boxes), as ``html_to_pdf`` would print it."""
    with _ONE_AT_A_TIME:
        html_class, css, fonts = _tools(current_app.static_folder or "", stylesheet)
        return html_class(string=html).render(stylesheets=[css], font_config=fonts)


@functools.cache
def _tools(static_folder: str, stylesheet: str) -> tuple[Any, Any, Any]:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return HTML, CSS(filename=str(Path(static_folder) / stylesheet), font_config=fonts), fonts
