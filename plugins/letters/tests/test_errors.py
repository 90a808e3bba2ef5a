"""When wkhtmltopdf or the letter folder lets us down, the error says so clearly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plugins.letters.errors import FolderNotWritable, RenderFailed, WkhtmltopdfMissing
from plugins.letters.output import check_folder, combined_name, write_letters
from plugins.letters.render import RenderSettings, render_pdf, render_pdfs

from .pdftext import pdf_pages


def _fake_converter(tmp_path: Path, body: str) -> str:
    """A stand-in wkhtmltopdf program (an external binary, not our code)."""
    path = tmp_path / "wkhtmltopdf"
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_missing_wkhtmltopdf_is_named_in_norwegian(sender, make_letter, tmp_path) -> None:
    settings = RenderSettings(wkhtmltopdf=str(tmp_path / "nowhere" / "wkhtmltopdf"))
    with pytest.raises(WkhtmltopdfMissing) as info:
        render_pdf(make_letter(1), sender, settings=settings)
    assert "wkhtmltopdf er ikke installert" in info.value.user_message
    assert "not found" in str(info.value)


def test_failing_wkhtmltopdf_reports_its_error(sender, make_letter, tmp_path) -> None:
    binary = _fake_converter(tmp_path, 'echo "Error: Qt crashed" >&2\nexit 2')
    with pytest.raises(RenderFailed) as info:
        render_pdf(make_letter(1), sender, settings=RenderSettings(wkhtmltopdf=binary))
    assert "PDF-genereringen feilet" in info.value.user_message
    assert "Qt crashed" in str(info.value)


def test_converter_output_that_is_no_pdf_is_refused(sender, make_letter, tmp_path) -> None:
    binary = _fake_converter(tmp_path, "cat >/dev/null\necho 'not a pdf'\nexit 0")
    with pytest.raises(RenderFailed):
        render_pdf(make_letter(1), sender, settings=RenderSettings(wkhtmltopdf=binary))


def test_hanging_converter_times_out(sender, make_letter, tmp_path) -> None:
    binary = _fake_converter(tmp_path, "exec sleep 30")
    with pytest.raises(RenderFailed) as info:
        render_pdf(make_letter(1), sender, settings=RenderSettings(wkhtmltopdf=binary, timeout=1))
    assert "for lang tid" in info.value.user_message


def test_folder_that_cannot_exist_is_not_writable(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(FolderNotWritable) as info:
        check_folder(blocker / "brev")
    assert "brevkatalogen" in info.value.user_message
    assert "not writable" in str(info.value)


def test_missing_folder_is_created(tmp_path) -> None:
    folder = check_folder(tmp_path / "prosjekt" / "brev")
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_letters_are_written_under_key_and_date(sender, make_letter, tmp_path) -> None:
    letters = [make_letter(n) for n in (1, 2, 3)]
    rendered = render_pdfs(letters, sender)
    files = write_letters(rendered, tmp_path, combined_name(len(letters)))
    for letter in letters:
        path = files.letters[letter.key]
        assert path.name == f"{letter.file_stem}.pdf"
        assert letter.reply_code in pdf_pages(path)[0]
    assert files.combined is not None and len(pdf_pages(files.combined)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{letter.file_stem}.pdf" for letter in letters] + [files.combined.name]
    )


def test_failed_write_leaves_no_partial_run(sender, make_letter, tmp_path) -> None:
    letters = [make_letter(n) for n in (1, 2, 3)]
    rendered = render_pdfs(letters, sender)
    # A directory squatting on the third letter's name makes that write fail.
    (tmp_path / f"{letters[2].file_stem}.pdf").mkdir()
    with pytest.raises(FolderNotWritable):
        write_letters(rendered, tmp_path, "samlet.pdf")
    left = sorted(os.listdir(tmp_path))
    assert left == [f"{letters[2].file_stem}.pdf"]
