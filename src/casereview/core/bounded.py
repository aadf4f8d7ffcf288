"""Reading what a file claims within bounds set before it is read (no SQL, no I/O of its own).

A file of a few megabytes can inflate to gigabytes, and JSON nested without end exhausts any
parser's stack; both are refused by what was measured, not found by running out of memory.
A zip member is read in chunks, never past the size it was promised (a manifest's) nor a
cap; JSON is measured for depth before it is parsed. (Also the ground for reading bundles
as streams later: nothing here holds more than the bound.)
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from itertools import accumulate
from typing import Any

_CHUNK = 1 << 20


class Unbounded(ValueError):
    """Past a bound: the message says which, without the file's name."""


def read_member(zf: zipfile.ZipFile, member: str, want: Any, cap: int) -> bytes:
    """A zip member's bytes, read in chunks and never more than `want` (the size promised
    for it; None: `cap`) plus one byte, to see that there is more. Refused (Unbounded) when
    the promise passes the cap or the member inflates past it; TypeError when `want` is
    not a size."""
    if want is None:
        want = cap
    if not isinstance(want, int) or isinstance(want, bool) or want < 0:
        raise TypeError(f"{member}'s size in the manifest is not a number of bytes")
    if want > cap:
        raise Unbounded(
            f"its manifest gives {member} as {want} bytes, more than this casereview reads "
            f"({cap} bytes)"
        )
    chunks, got = [], 0
    with zf.open(member) as fh:
        while got <= want:
            chunk = fh.read(min(_CHUNK, want + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    if got > want:
        said = "its manifest gives" if want < cap else "this casereview reads"
        raise Unbounded(f"{member} inflates to more than the {want} bytes {said}")
    return b"".join(chunks)


_NOT_SYNTAX = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(data: bytes) -> int:
    """How deep JSON text nests its arrays and objects, told without parsing it, at the
    speed of bytes' own methods (an 80 MB bundle in under a second). A bracket is inside a
    string when an odd number of quotes comes before it, so: escapes dropped (an escaped
    quote is no quote), then all but quotes and brackets, then any two quotes side by side
    (which keeps every bracket's parity: most strings hold no bracket and go here), then
    what is between the quotes left. For text that is not JSON the answer means nothing,
    and the parser refuses the text after."""
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    syntax = data.translate(None, _NOT_SYNTAX).replace(b'""', b"")
    brackets = b"".join(syntax.split(b'"')[::2])
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def load_json(
    data: bytes, member: str, max_depth: int, loads: Callable[[bytes], Any] = json.loads
) -> Any:
    """JSON text parsed (by `loads`: json's, or one that answers as it does), refused first
    if it nests deeper than `max_depth`; ValueError if it is not JSON."""
    if json_depth(data) > max_depth:
        raise Unbounded(f"{member} is nested deeper than {max_depth} levels")
    try:
        return loads(data)
    except RecursionError:  # pragma: no cover - measured above
        raise Unbounded(f"{member} is nested too deeply to read") from None
