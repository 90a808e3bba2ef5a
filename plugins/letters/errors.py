"""Errors of letter production.

Each carries a Norwegian ``user_message`` for the planner (shown in the UI and
written into the order's comment) while ``str(err)`` stays English for logs.
"""

from __future__ import annotations


class LetterError(Exception):
    """Base class: something stopped a booking letter from being produced."""

    user_message = "Brevet kunne ikke lages."

    def __init__(self, log_message: str, user_message: str | None = None) -> None:
        super().__init__(log_message)
        if user_message is not None:
            self.user_message = user_message


class WkhtmltopdfMissing(LetterError):
    """The wkhtmltopdf program is not installed or not executable."""

    user_message = (
        "Brevet kunne ikke lages: PDF-programmet wkhtmltopdf er ikke installert. "
        "Kontakt administrator."
    )


class RenderFailed(LetterError):
    """wkhtmltopdf ran but failed, or produced no usable PDF."""

    user_message = "Brevet kunne ikke lages: PDF-genereringen feilet. Kontakt administrator."


class TemplateFailed(LetterError):
    """The project's letter template has a syntax error or fails when rendered."""

    user_message = "Brevmalen for prosjektet har en feil og kunne ikke brukes."


class FolderNotWritable(LetterError):
    """The configured letter folder is missing or cannot be written to."""

    user_message = "Brevet kunne ikke lagres: brevkatalogen finnes ikke eller er skrivebeskyttet."
