"""Sending e-mail through the configured SMTP server (watchers, subscriptions).

The instance config's optional ``smtp`` block: ``host``, ``port``, ``sender``,
``username``, ``password_env`` (the variable holding the password), ``starttls``.
Without it, mail is written to ``data_dir/mail/`` as .eml files, so the embedded
default loses nothing and a person can read what would have gone out.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .host import Amsflow


class MailError(Exception):
    """The SMTP server refused or could not be reached."""


def build_message(host: Amsflow, to: list[str], subject: str, text: str,
                  html: str | None = None) -> EmailMessage:
    smtp = host.config.get("smtp") or {}
    msg = EmailMessage()
    msg["From"] = smtp.get("sender", "amsflow@localhost")
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@amsflow>"
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def send_mail(host: Amsflow, to: list[str], subject: str, text: str,
              html: str | None = None) -> EmailMessage:
    """Send one message (or write it to the mail folder when no SMTP is set)."""
    recipients = [addr for addr in to if addr]
    if not recipients:
        raise MailError("no recipients")
    msg = build_message(host, recipients, subject, text, html)
    smtp = host.config.get("smtp")
    if not smtp:
        folder = host.data_dir / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
        return msg
    try:
        with smtplib.SMTP(smtp["host"], int(smtp.get("port", 25)),
                          timeout=float(smtp.get("timeout", 10))) as conn:
            if smtp.get("starttls"):
                conn.starttls()
            if smtp.get("username"):
                conn.login(smtp["username"], host.config.secret(smtp.get("password_env")) or "")
            conn.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {smtp['host']}:{smtp.get('port', 25)}: {exc}") from exc
    return msg
