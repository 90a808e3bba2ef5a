"""Reply codes: unambiguous alphabet, unique against the is-taken callback."""

from __future__ import annotations

import itertools

import pytest

from plugins.sms.replycodes import (
    ALPHABET,
    ReplyCodeExhausted,
    check_character,
    generate_reply_code,
    has_valid_check,
    is_reply_code,
)


def test_alphabet_has_no_lookalikes() -> None:
    assert not set("O0I1") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET)


def test_generated_codes_are_unique_and_well_formed() -> None:
    taken: set[str] = set()
    for _ in range(2000):
        code = generate_reply_code(taken.__contains__)
        assert code not in taken
        assert len(code) == 5 and set(code) <= set(ALPHABET)
        assert has_valid_check(code)
        assert is_reply_code(code)
        taken.add(code)


def test_grows_longer_when_short_codes_are_all_taken() -> None:
    picks = itertools.cycle(ALPHABET[:1])
    code = generate_reply_code(lambda c: len(c) < 6, choice=lambda _: next(picks))
    assert code == ALPHABET[0] * 5 + check_character(ALPHABET[0] * 5)


def test_gives_up_at_max_length() -> None:
    with pytest.raises(ReplyCodeExhausted):
        generate_reply_code(lambda _c: True, attempts_per_length=2, max_length=5)


@pytest.mark.parametrize("text", ["ab3d", "AB3D", "XYZ"])
def test_code_shapes(text: str) -> None:
    assert is_reply_code(text)


@pytest.mark.parametrize("text", ["OK", "KONTAKT", "AB", "A1B2", "ABCDEFGHJK", "AB-3"])
def test_not_code_shapes(text: str) -> None:
    assert not is_reply_code(text)


def test_no_one_character_typo_is_another_code() -> None:
    """Every single-character change of every code of a sample is no valid code."""
    codes = [generate_reply_code(lambda _c: False) for _ in range(300)]
    for code in codes:
        for pos in range(len(code)):
            for ch in ALPHABET:
                if ch != code[pos]:
                    typo = code[:pos] + ch + code[pos + 1:]
                    assert not has_valid_check(typo), (code, typo)
