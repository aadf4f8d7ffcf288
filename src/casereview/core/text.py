"""Text as people type and paste it: invisible characters, Unicode forms, look-alike keys.

One statement of each rule, for the importers (what a reference may contain, how two
references are compared) and the exports (what a spreadsheet skips before a formula).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Default-ignorable characters that are not in a C* category (combining grapheme joiner,
# Hangul fillers, Khmer inherent vowels, Mongolian and other variation selectors): they draw
# nothing, like the format characters.
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
)
# Control (Cc), format (Cf: zero-width space and joiners, BOM, bidi marks, soft hyphen),
# private use, unassigned, surrogates, and the line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"))


def invisible(ch: str) -> bool:
    """A character that draws nothing (or may draw anything): control, format, ignorable."""
    return (
        ch in _IGNORABLE
        or 0xE0100 <= ord(ch) <= 0xE01EF  # variation selectors supplement
        or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
    )


def first_invisible(text: str) -> str | None:
    """The first invisible character in `text`, or None. (Plain ASCII text, the usual case,
    is passed by one C-level check.)"""
    if text.isascii() and text.isprintable():
        return None
    return next((ch for ch in text if invisible(ch)), None)


def all_plain(texts: Sequence[object]) -> bool:
    """True when every one of `texts` is None or plain printable ASCII text, so that none
    holds an invisible character (first_invisible): one C-level check over them all joined,
    for the many names of a bundle's batch. False tells nothing: check each."""
    strings = [text for text in texts if text is not None]
    if not all(type(text) is str for text in strings):
        return False
    joined = "".join(strings)  # type: ignore[arg-type]
    return joined.isascii() and joined.isprintable()


def describe(ch: str) -> str:
    """U+200B ZERO WIDTH SPACE: how a message names a character nobody can see."""
    name = unicodedata.name(ch, "")
    if not name and unicodedata.category(ch) == "Cc":
        name = {
            "\x00": "NUL",
            "\t": "TAB",
            "\n": "LINE FEED",
            "\r": "CARRIAGE RETURN",
            "\x1b": "ESCAPE",  # what starts a terminal's escape sequence
            "\x7f": "DELETE",
        }.get(ch, "CONTROL")
    return f"U+{ord(ch):04X} {name}".rstrip()


def hidden_character(what: str, text: str) -> str | None:
    """Why `text` is refused as `what` (an audit name, a case_ref), or None: it holds a
    character nobody can see or that a terminal acts on (a line feed, an escape sequence, a
    zero-width space, a bidi override). The one rule for names and references."""
    ch = first_invisible(text)
    if ch is None:
        return None
    return f"{what} has an invisible or control character ({describe(ch)}); retype it"


def visible(text: str, newlines: bool = False) -> str:
    """`text` as a terminal may show it: each invisible character (text.invisible) written
    out as its escape, ESC as `\\x1b`, a zero-width space as `\\u200b`, so data printed by the
    command line cannot fake a line, recolour or clear the screen, or hide itself. With
    `newlines`, line feeds stay (a message of several lines)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if invisible(ch) and not (newlines and ch == "\n")
        else ch
        for ch in text
    )


def nfc(text: str) -> str:
    """The composed form: `é` typed as one character or as `e` + accent is stored one way."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def match_key(force: str, case_ref: str) -> str:
    """What two cases are compared by: force and reference in NFKC form, so look-alikes
    (a fullwidth `０`, a non-breaking space) are the same case."""
    key = f"{force}\x1f{case_ref}"
    return key if key.isascii() else unicodedata.normalize("NFKC", key)


def fold_name(name: str) -> str:
    """What two account names are compared by: NFKC, then case folded, so `Bob`, `BOB` and a
    fullwidth `ＢＯＢ` are one name."""
    return name.lower() if name.isascii() else unicodedata.normalize("NFKC", name).casefold()


def skip_blank_start(text: str) -> str:
    """`text` after any leading whitespace or invisible characters (spaces, NBSP,
    zero-width space, line breaks): what a spreadsheet reads as the cell's first character."""
    for i, ch in enumerate(text):
        if not (ch.isspace() or invisible(ch)):
            return text[i:]
    return ""


def utf16_codec(raw: bytes) -> str | None:
    """`utf-16` (with a BOM), `utf-16-le` or `-be` (without one, told by where the NUL bytes
    fall: text that is mostly ASCII has a zero in every other byte), or None: not UTF-16.
    (Windows "Unicode text" and some exports are UTF-16; read as bytes they are full of NULs.)"""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    pairs = len(raw) // 2
    if pairs == 0 or b"\x00" not in raw:
        return None
    even, odd = raw[0 : 2 * pairs : 2].count(0), raw[1 : 2 * pairs : 2].count(0)
    if odd >= pairs * 0.2 and even * 10 < odd:
        return "utf-16-le"
    if even >= pairs * 0.2 and odd * 10 < even:
        return "utf-16-be"
    return None


def natural_key(text: str) -> list[int | str]:
    """A sort key that orders the digits in text by value: R7 < R10, version 1.9 < 1.10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _likeness(a: str, b: str) -> float:
    """How alike two names are, 0 to 1, case and spacing ignored."""

    import difflib  # (here: only a name not found asks; it is 1 ms of every start)

    def key(text: str) -> str:
        return " ".join(text.casefold().split())

    return difflib.SequenceMatcher(None, key(a), key(b)).ratio()


def closest_first(value: str, candidates: Sequence[str]) -> list[str]:
    """The candidates, the most like `value` first (case and spacing ignored), ties in
    their own order: 'stalking (s2a)' puts 'Stalking (s2A)' before 'Stalking (s4A)'."""
    score = {c: _likeness(value, c) for c in candidates}
    return sorted(candidates, key=lambda c: -score[c])


def resembles(typed: str, name: str) -> bool:
    """Whether `name` is close enough to what was typed to be offered as "did you mean"
    (difflib's own threshold for close matches, 0.6)."""
    return _likeness(typed, name) >= 0.6
