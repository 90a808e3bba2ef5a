"""Short reply codes customers type back; letters and SMS share them.

The alphabet leaves out O/0 and I/1 so a code read from a letter or a small screen
is not mistyped as a lookalike. Every code ends in a check character (a weighted sum
mod 32 with odd weights, which are invertible mod 32): changing any one character of
a code gives a string that is no code at all, so a one-character typo never reaches
another order. Codes made before the check character (4 characters) still match
exactly.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_LENGTH = 4  # random characters; the code has one more, the check character
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{3,9}}$")


class ReplyCodeExhausted(RuntimeError):
    """No free code was found; the caller should raise the length."""


def is_reply_code(text: str) -> bool:
    """True when text (any case) has the shape of a reply code."""
    return bool(_CODE_RE.match(text.upper()))


def normalise_code(text: str) -> str:
    """The canonical (upper-case, trimmed) form used for storage and lookup."""
    return text.strip().upper()


def check_character(data: str) -> str:
    """The check character for a code's random part."""
    total = sum((2 * i + 1) * ALPHABET.index(ch) for i, ch in enumerate(data))
    return ALPHABET[total % len(ALPHABET)]


def has_valid_check(code: str) -> bool:
    """True when the code's last character is the check character of the rest."""
    code = normalise_code(code)
    return (len(code) >= 2 and all(ch in ALPHABET for ch in code)
            and check_character(code[:-1]) == code[-1])


def _make(size: int, choice: Callable[[str], str]) -> str:
    data = "".join(choice(ALPHABET) for _ in range(size))
    return data + check_character(data)


def candidates(n: int, length: int = DEFAULT_LENGTH,
               choice: Callable[[str], str] = secrets.choice) -> set[str]:
    """``n`` different random codes, for a caller that checks many in one query."""
    out: set[str] = set()
    while len(out) < n:
        out.add(_make(length, choice))
    return out


def generate_reply_code(
    is_taken: Callable[[str], bool],
    length: int = DEFAULT_LENGTH,
    attempts_per_length: int = 50,
    max_length: int = 8,
    choice: Callable[[str], str] = secrets.choice,
) -> str:
    """A random code (``length`` random characters and the check character) that
    is_taken() rejects none of; grows longer when space runs short."""
    for size in range(length, max_length + 1):
        for _ in range(attempts_per_length):
            code = _make(size, choice)
            if not is_taken(code):
                return code
    raise ReplyCodeExhausted(f"no free reply code up to length {max_length}")
