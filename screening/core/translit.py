"""Serbian Latin to Cyrillic transliteration.

Serbian Latin is a one-to-one image of Cyrillic except for three digraphs: ``lj`` (љ), ``nj`` (њ)
and ``dž`` (џ). A handful of words join a prefix ending in ``n`` or ``d`` to a stem starting with
``j`` or ``ž`` (``injekcija``, ``konjunktura``, ``nadživeti``, ``odžaliti``); there the pair is two
letters. Placeholders (``{name}``, ``%(name)s``), indicator ids (``gen.debt``), acronyms
written in Latin capitals that are not Serbian words (``ILO``, ``UNODC``), URLs and phone numbers are left alone.
"""

from __future__ import annotations

import re

_SINGLE = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "č": "ч",
    "ć": "ћ",
    "d": "д",
    "đ": "ђ",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "ј",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "š": "ш",
    "t": "т",
    "u": "у",
    "v": "в",
    "z": "з",
    "ž": "ж",
}
_DIGRAPHS = {"lj": "љ", "nj": "њ", "dž": "џ"}

#: Word beginnings where ``nj`` or ``dž`` are two letters, not one.
_SPLIT_PREFIXES = (
    "injekc",
    "konjug",
    "konjunk",
    "vanjez",
    "tanjug",
    "injunk",
    "nadžanj",
    "nadžet",
    "nadživ",
    "nadžnj",
    "odžal",
    "odživ",
    "podžanr",
    "podžnj",
)

_PROTECTED = re.compile(
    r"\{[^{}]*\}"  # str.format placeholders
    r"|%\([^)]*\)[a-z]"  # printf placeholders
    r"|https?://\S+"  # links
    r"|\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b"  # indicator ids such as gen.documents_held
    r"|\b(?:ILO|UNODC|IOM|OSCE|GRETA|TIP|SOP|PEARR|WCMS_\d+|HTCDS|PDF|CSV|QR|ID|URL)\b"
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _split_position(lower_word: str) -> int:
    """Index of a digraph that must stay two letters in this word, or -1."""
    for prefix in _SPLIT_PREFIXES:
        if lower_word.startswith(prefix):
            return min(i for i in (prefix.find("nj"), prefix.find("dž")) if i >= 0)
    return -1


def _word_to_cyrillic(word: str) -> str:
    lower = word.lower()
    split_at = _split_position(lower)
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = lower[i : i + 2]
        if pair in _DIGRAPHS and i != split_at:
            letter = _DIGRAPHS[pair]
            # "Lj" and "LJ" both become "Љ"; case follows the first letter.
            out.append(letter.upper() if word[i].isupper() else letter)
            i += 2
            continue
        char = word[i]
        mapped = _SINGLE.get(char.lower())
        if mapped is None:
            out.append(char)
        else:
            out.append(mapped.upper() if char.isupper() else mapped)
        i += 1
    return "".join(out)


def _transliterate_plain(text: str) -> str:
    return _WORD.sub(lambda m: _word_to_cyrillic(m.group(0)), text)


def latin_to_cyrillic(text: str) -> str:
    """Transliterate Serbian Latin text to Cyrillic, leaving placeholders and acronyms intact."""
    parts: list[str] = []
    last = 0
    for match in _PROTECTED.finditer(text):
        parts.append(_transliterate_plain(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(_transliterate_plain(text[last:]))
    return "".join(parts)
