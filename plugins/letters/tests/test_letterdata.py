"""Norwegian dates, time windows and file names for letters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugins.letters.letterdata import LetterData, norwegian_date, time_window


def test_date_reads_like_a_norwegian_letter() -> None:
    assert norwegian_date(datetime(2025, 4, 22, 10, 0)) == "tirsdag 22. april 2025"
    assert norwegian_date(datetime(2025, 5, 17, 9, 0)) == "lørdag 17. mai 2025"
    assert norwegian_date(datetime(2025, 1, 5, 9, 0)) == "søndag 5. januar 2025"


def test_every_weekday_has_its_own_name() -> None:
    monday = datetime(2025, 4, 21, 12, 0)
    names = [norwegian_date(monday + timedelta(days=i)).split()[0] for i in range(7)]
    assert len(set(names)) == 7
    assert names[0] == "mandag" and names[6] == "søndag"


def test_time_window_runs_from_start_to_start_plus_estimate() -> None:
    start = datetime(2025, 4, 22, 10, 0)
    assert time_window(start, timedelta(hours=1)) == "10:00–11:00"
    assert time_window(start, timedelta(minutes=90)) == "10:00–11:30"
    assert time_window(start, None) == "10:00–11:00"


def test_aware_times_are_shown_in_norwegian_local_time() -> None:
    summer = datetime(2025, 4, 22, 8, 0, tzinfo=UTC)
    winter = datetime(2025, 1, 7, 8, 0, tzinfo=UTC)
    assert time_window(summer, timedelta(hours=1)) == "10:00–11:00"
    assert time_window(winter, timedelta(hours=1)) == "09:00–10:00"
    late = datetime(2025, 4, 21, 22, 30, tzinfo=UTC)
    assert norwegian_date(late) == "tirsdag 22. april 2025"


def test_file_stem_is_key_and_day_and_safe_as_a_name(make_letter) -> None:
    letter: LetterData = make_letter(7)
    assert letter.file_stem == "AMS-7_2025-04-22"
    odd = make_letter(8, key="../../etc/AMS 8")
    assert "/" not in odd.file_stem and " " not in odd.file_stem
    assert odd.file_stem.endswith("_2025-04-22")
