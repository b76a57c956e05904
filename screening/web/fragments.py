"""Rendered fragments that repeat across requests: each question of a checklist page.

A section page shows up to a dozen questions, and each is the same HTML for the same indicator
set and version, question, interface language, second language and answer. Rendering them through
Jinja was most of the page's cost, so each is rendered once per worker and kept in a bounded LRU
cache on the app. The key holds everything that changes the output; a question with an error is
rendered afresh. The cached HTML holds no personal data: the set's texts and which answer is
checked, with no screening, person or user attached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app
from markupsafe import Markup

EXTENSION = "screening.fragments"
#: Enough for every question of every shipped set in each answer, interface and second language
#: a worker sees in a day; an entry is about 2 KB.
DEFAULT_SIZE = 4096


class FragmentCache:
    """A bounded, thread-safe least-recently-used map from a key to rendered HTML."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The HTML stored under ``key``, rendering and storing it first if it is not there."""
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                return html
        html = Markup(render())
        with self._lock:
            self._entries[key] = html
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return html

    def __len__(self) -> int:
        return len(self._entries)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = FragmentCache()


def fragments() -> FragmentCache:
    cache: FragmentCache = current_app.extensions[EXTENSION]
    return cache
