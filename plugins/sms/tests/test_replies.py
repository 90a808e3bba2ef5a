"""Reply parsing: every form the spec names."""

from __future__ import annotations

import pytest

from plugins.sms.replies import Verdict, parse_reply


@pytest.mark.parametrize(
    ("text", "code", "verdict"),
    [
        ("AB3D OK", "AB3D", Verdict.CONFIRM),
        ("ab3d ok", "AB3D", Verdict.CONFIRM),
        ("  AB3D   Ok  ", "AB3D", Verdict.CONFIRM),
        ("AB3D\nOK", "AB3D", Verdict.CONFIRM),
        ("AB3D: OK", "AB3D", Verdict.CONFIRM),
        ("AB3D Ok!!", "AB3D", Verdict.MANUAL),
        ("AB3D KONTAKT", "AB3D", Verdict.MANUAL),
        ("AB3D Det er greit, men ring meg", "AB3D", Verdict.MANUAL),
        ("AB3D", "AB3D", Verdict.MANUAL),
        ("AB3D OK takk", "AB3D", Verdict.MANUAL),
        ("AB3D STOPP", "AB3D", Verdict.OPT_OUT),
        ("ab3d stop", "AB3D", Verdict.OPT_OUT),
    ],
)
def test_coded_replies(text: str, code: str, verdict: Verdict) -> None:
    parsed = parse_reply(text)
    assert (parsed.code, parsed.verdict) == (code, verdict)


@pytest.mark.parametrize("text", ["OK", " ok ", "KONTAKT", "STOPP", "", None, "Hei! 1 2 3"])
def test_replies_without_a_code_are_unmatched(text: str | None) -> None:
    parsed = parse_reply(text)
    assert parsed.code is None
    assert parsed.verdict is Verdict.UNMATCHED


def test_body_keeps_the_customers_words() -> None:
    assert parse_reply("AB3D  Kan dere komme  etter 12?").body == "Kan dere komme  etter 12?"
