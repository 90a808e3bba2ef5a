"""Booking letters come out as PDFs that say the right things in the right places."""

from __future__ import annotations

from plugins.letters.letterdata import norwegian_date, time_window
from plugins.letters.render import (
    RenderSettings,
    combine_pdfs,
    render_pdf,
    render_pdfs,
    render_run,
)
from plugins.letters.templating import default_template

from .pdftext import pdf_pages, pdf_text, text_position_mm


def test_letter_holds_name_address_date_time_installer_and_code(sender, make_letter) -> None:
    letter = make_letter(3)
    text = pdf_text(render_pdf(letter, sender))
    for expected in (
        letter.customer_name,
        letter.address,
        f"{letter.postcode} {letter.city}",
        norwegian_date(letter.planned_start),
        time_window(letter.planned_start, letter.estimate),
        letter.installer,
        letter.reply_code,
        f"{letter.reply_code} OK",
        f"{letter.reply_code} KONTAKT",
        sender.reply_number,
        sender.name,
    ):
        assert expected in text, expected
    assert "Åse Øvrebø Ærlig" in text and "Blåbærstien" in text


def test_logo_is_embedded_and_drawn(sender, make_letter) -> None:
    with_logo = pdf_text(render_pdf(make_letter(1), sender))
    without = pdf_text(render_pdf(make_letter(1), sender.__class__(name=sender.name)))
    # The SVG logo carries the word "Nettselskap" as its own text run.
    assert with_logo.count("Nettselskap") > without.count("Nettselskap")


def test_address_sits_in_the_envelope_window(sender, make_letter) -> None:
    letter = make_letter(4)
    pdf = render_pdf(letter, sender)
    left, top = text_position_mm(pdf, letter.customer_name)
    # Window of a C5/DL envelope, window left: 20 mm in, 45-90 mm down.
    assert 19 <= left <= 22
    assert 45 <= top <= 90
    left, top = text_position_mm(pdf, letter.address)
    assert 19 <= left <= 22 and 45 <= top <= 90


def test_bulk_gives_each_order_its_own_one_page_letter(sender, make_letter) -> None:
    letters = [make_letter(n) for n in range(1, 24)]
    rendered = render_pdfs(letters, sender, settings=RenderSettings(chunk_size=10, workers=2))
    assert [r.letter.key for r in rendered] == [letter.key for letter in letters]
    codes = {letter.reply_code for letter in letters}
    for item in rendered:
        pages = pdf_pages(item.pdf)
        assert len(pages) == 1
        assert item.letter.customer_name in pages[0]
        assert [code for code in codes if code in pages[0]] == [item.letter.reply_code]


def test_a_letter_running_over_a_page_stays_whole(sender, make_letter) -> None:
    overflow = "<div style='height:400mm'></div><p>SLUTT-{{ letter.key }}</p>"
    long_template = default_template() + overflow
    letters = [make_letter(n) for n in range(1, 5)]
    rendered = render_pdfs(letters, sender, long_template, RenderSettings(chunk_size=4))
    for item in rendered:
        pages = pdf_pages(item.pdf)
        assert len(pages) >= 2
        assert item.letter.reply_code in pages[0]
        assert pages[-1].endswith(f"SLUTT-{item.letter.key}")


def test_combined_print_file_holds_every_letter_in_order(sender, make_letter) -> None:
    letters = [make_letter(n) for n in range(1, 6)]
    rendered = render_pdfs(letters, sender, settings=RenderSettings(chunk_size=2))
    pages = pdf_pages(combine_pdfs([r.pdf for r in rendered]))
    assert len(pages) == len(letters)
    for page, letter in zip(pages, letters, strict=True):
        assert letter.reply_code in page


def test_print_file_of_a_chunked_run_keeps_letter_order(sender, make_letter) -> None:
    letters = [make_letter(n) for n in range(1, 8)]
    run = render_run(letters, sender, settings=RenderSettings(chunk_size=3, workers=2))
    assert len(run.parts) == 3
    pages = pdf_pages(run.print_file())
    assert [letter.reply_code in page for page, letter in zip(pages, letters, strict=True)] == [
        True
    ] * len(letters)


def test_nothing_to_render_starts_no_process(sender) -> None:
    assert render_pdfs([], sender, settings=RenderSettings(wkhtmltopdf="/no/such/binary")) == []
