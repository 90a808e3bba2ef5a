"""GSM-7/UCS-2 detection and segment counts at the boundaries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.sms.encoding import GSM7, GSM7_BASIC, GSM7_EXTENSION, UCS2, analyse, is_gsm7


def test_norwegian_letters_are_gsm7() -> None:
    text = "Blåbærsyltetøy på Ærø og Åsgårdstrand ØST"
    assert is_gsm7(text)
    assert analyse(text).encoding == GSM7


@pytest.mark.parametrize("char", ["✓", "ç", "😀", "ł", "ä́"])
def test_one_foreign_character_makes_ucs2(char: str) -> None:
    assert analyse("Hei " + char).encoding == UCS2


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_segments(length: int, segments: int) -> None:
    assert analyse("a" * length).segments == segments


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)]
)
def test_ucs2_segments(length: int, segments: int) -> None:
    assert analyse("ж" * length).segments == segments


def test_extension_characters_cost_two_septets() -> None:
    assert analyse("€" * 80).units == 160
    assert analyse("€" * 80).segments == 1
    assert analyse("€" * 81).segments == 2


def test_escape_pair_never_straddles_a_segment() -> None:
    # 152 plain septets then '€' (2 septets) would cross 153, so it starts segment two.
    info = analyse("a" * 152 + "€" + "a" * 10)
    assert info.units == 164
    assert info.segments == 2
    assert info.remaining == 153 - 12


def test_emoji_is_two_ucs2_units() -> None:
    assert analyse("😀" * 35).units == 70
    assert analyse("😀" * 35).segments == 1
    assert analyse("😀" * 36).segments == 2


def test_remaining_in_single_segment() -> None:
    assert analyse("Hei").remaining == 157


@given(st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=600))
def test_gsm7_segments_hold_the_units(text: str) -> None:
    info = analyse(text)
    assert info.encoding == GSM7
    capacity = 160 if info.segments == 1 else 153 * info.segments
    assert info.units <= capacity
    if info.segments > 1:
        assert info.units > 160


@given(st.text(max_size=300))
def test_more_text_never_fewer_segments(text: str) -> None:
    assert analyse(text + "x").segments >= analyse(text).segments or (
        analyse(text).encoding != analyse(text + "x").encoding
    )
