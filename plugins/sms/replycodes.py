"""Short reply codes customers type back; letters and SMS share them.

The alphabet leaves out O/0 and I/1 so a code read from a letter or a small screen
cannot be typed wrong in a way that matches another order.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_LENGTH = 4
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{3,8}}$")


class ReplyCodeExhausted(RuntimeError):
    """No free code was found; the caller should raise the length."""


def is_reply_code(text: str) -> bool:
    """True when text (any case) has the shape of a reply code."""
    return bool(_CODE_RE.match(text.upper()))


def normalise_code(text: str) -> str:
    """The canonical (upper-case, trimmed) form used for storage and lookup."""
    return text.strip().upper()


def candidates(n: int, length: int = DEFAULT_LENGTH,
               choice: Callable[[str], str] = secrets.choice) -> set[str]:
    """``n`` different random codes, for a caller that checks many in one query."""
    out: set[str] = set()
    while len(out) < n:
        out.add("".join(choice(ALPHABET) for _ in range(length)))
    return out


def generate_reply_code(
    is_taken: Callable[[str], bool],
    length: int = DEFAULT_LENGTH,
    attempts_per_length: int = 50,
    max_length: int = 8,
    choice: Callable[[str], str] = secrets.choice,
) -> str:
    """A random code that is_taken() rejects none of; grows longer when space runs short."""
    for size in range(length, max_length + 1):
        for _ in range(attempts_per_length):
            code = "".join(choice(ALPHABET) for _ in range(size))
            if not is_taken(code):
                return code
    raise ReplyCodeExhausted(f"no free reply code up to length {max_length}")
