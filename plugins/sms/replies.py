"""Reading a customer's SMS reply: which order (by code) and what it means."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from plugins.sms.replycodes import is_reply_code, normalise_code

OPT_OUT_WORDS = frozenset({"STOP", "STOPP"})
_CODE_PUNCTUATION = ":,.;-"


class Verdict(enum.StrEnum):
    """What a reply does to its order."""

    CONFIRM = "confirm"  # exactly OK: Klar til utførelse
    MANUAL = "manual"  # KONTAKT or any other text: Manuell oppfølging
    OPT_OUT = "opt_out"  # STOP/STOPP: set SMS opt-out, Manuell oppfølging
    UNMATCHED = "unmatched"  # no code: kept for a planner


@dataclass(frozen=True)
class ParsedReply:
    """A reply split into its code (if any), the rest of the text, and its verdict."""

    code: str | None
    body: str
    verdict: Verdict


def verdict_for(body: str) -> Verdict:
    """The verdict for the text after the code."""
    word = body.strip().upper()
    if word == "OK":
        return Verdict.CONFIRM
    if word in OPT_OUT_WORDS:
        return Verdict.OPT_OUT
    return Verdict.MANUAL


def parse_reply(text: str | None) -> ParsedReply:
    """Split '<code> <text>'; a first word that is not a code shape means no code."""
    stripped = (text or "").strip()
    if not stripped:
        return ParsedReply(None, "", Verdict.UNMATCHED)
    first, _, rest = stripped.partition(" ")
    if "\n" in first:
        first, _, more = first.partition("\n")
        rest = f"{more} {rest}".strip()
    candidate = first.strip(_CODE_PUNCTUATION)
    if not is_reply_code(candidate):
        return ParsedReply(None, stripped, Verdict.UNMATCHED)
    body = rest.strip()
    return ParsedReply(normalise_code(candidate), body, verdict_for(body))
