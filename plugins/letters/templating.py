"""Letter HTML from a project's Jinja template, in a sandbox with autoescaping.

Admins edit the template in the browser, so it runs in Jinja's sandbox (no
access to Python internals) and every value is HTML-escaped: a customer named
``<iframe src=file:///etc/passwd>`` is printed as those characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from importlib import resources

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateFailed
from .letterdata import MONTHS, LetterData, Sender

# Each letter is one section; the separator starts the next letter on a new sheet.
DOCUMENT_HEAD = (
    '<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Brev</title>'
    "<style>html,body{margin:0;padding:0;background:#fff}"
    ".amsflow-letter{position:relative;overflow:hidden;zoom:%s}"
    ".amsflow-break{page-break-after:always;height:0;margin:0;padding:0}</style>"
    "</head><body>"
)
SEPARATOR = '<div class="amsflow-break"></div>'
DOCUMENT_TAIL = "</body></html>"

_ENV = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def default_template() -> str:
    """The template shipped with the plugin, used when a project has none of its own."""
    return resources.files(__package__).joinpath("templates/letter.html").read_text("utf-8")


@lru_cache(maxsize=32)
def _compile(source: str):  # noqa: ANN202 - jinja2.Template in the sandbox
    try:
        return _ENV.from_string(source)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (linje {line})" if line else ""
        raise TemplateFailed(
            f"letter template does not compile: {exc}",
            f"Brevmalen har en feil{where}: {exc}",
        ) from exc


def check_template(source: str) -> None:
    """Raise TemplateFailed if ``source`` does not compile; used when an admin saves it."""
    _compile(source)


def today_text(today: date | None = None) -> str:
    day = today or date.today()
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def render_letter_html(
    letter: LetterData, sender: Sender, template_source: str, today: date | None = None
) -> str:
    """One letter's HTML fragment (no document around it)."""
    template = _compile(template_source)
    try:
        body = template.render(letter=letter, sender=sender, today_text=today_text(today))
    except TemplateError as exc:
        raise TemplateFailed(
            f"letter template failed for {letter.key}: {exc}",
            f"Brevmalen feilet for {letter.key}: {exc}",
        ) from exc
    return f'<section class="amsflow-letter">{body}</section>'


def render_document(
    letters: Sequence[LetterData],
    sender: Sender,
    template_source: str | None = None,
    today: date | None = None,
    zoom: float = 1.0,
) -> str:
    """A whole HTML document holding ``letters``, each starting on a new page.

    ``zoom`` scales each letter so CSS millimetres are paper millimetres (see
    ``wkhtml.mm_zoom``); a browser preview uses 1.
    """
    source = template_source if template_source is not None else default_template()
    parts = [render_letter_html(letter, sender, source, today) for letter in letters]
    return DOCUMENT_HEAD % f"{zoom:g}" + SEPARATOR.join(parts) + DOCUMENT_TAIL
