"""GSM-7 versus UCS-2 detection and SMS segment counting.

The preview on the issue view and the SMS log both need to tell a planner how many
segments (and therefore how much money) a text costs; Norwegian letters æøåÆØÅ are
in the GSM-7 basic table, so they must not push a text into UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters reached through the escape code: each costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"

_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsInfo:
    """What a text costs: encoding, length in encoding units, and segments."""

    encoding: str
    units: int
    segments: int
    per_segment: int
    remaining: int


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_lengths(text: str, encoding: str) -> list[int]:
    """Per character, the number of units (septets or UTF-16 code units) it takes."""
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _split_count(lengths: list[int], size: int) -> int:
    """Segments needed when no character (escape pair, surrogate pair) may straddle two."""
    segments, used = 1, 0
    for n in lengths:
        if used + n > size:
            segments += 1
            used = 0
        used += n
    return segments


def analyse(text: str) -> SmsInfo:
    """Encoding, units, segments and the units left in the last segment."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    single, multi = _LIMITS[encoding]
    lengths = _unit_lengths(text, encoding)
    units = sum(lengths)
    if units <= single:
        return SmsInfo(encoding, units, 1, single, single - units)
    segments = _split_count(lengths, multi)
    # Units used in the last segment, recomputed the same way as the split.
    used = 0
    for n in lengths:
        if used + n > multi:
            used = 0
        used += n
    return SmsInfo(encoding, units, segments, multi, multi - used)


def segment_count(text: str) -> int:
    """Number of SMS segments the text is sent as."""
    return analyse(text).segments
