"""From a work order to the plain values of its letter: fields, sender, template, folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from core.models import Issue
from core.services.issues import values_of

from .letterdata import LetterData, Sender
from .models import LetterTemplate
from .render import RenderSettings
from .templating import default_template

if TYPE_CHECKING:
    from core.host import Amsflow

PLUGIN = "letters"


def settings_for(host: Amsflow, project_key: str) -> dict[str, Any]:
    return host.plugins.plugin_settings(project_key, PLUGIN)


def render_settings(settings: dict[str, Any]) -> RenderSettings:
    return RenderSettings(
        wkhtmltopdf=settings.get("wkhtmltopdf") or None,
        chunk_size=settings.get("chunk_size", 50),
        workers=settings.get("workers", 2),
        timeout=settings.get("timeout", 300.0),
    )


def letter_folder(host: Amsflow, project_key: str) -> Path:
    """The project's letter folder; relative paths live under the instance's data_dir."""
    raw = settings_for(host, project_key).get("folder") or "letters/{project}"
    path = Path(raw.replace("{project}", project_key))
    return path if path.is_absolute() else host.data_dir / path


def sender_for(host: Amsflow, project_key: str) -> Sender:
    settings = settings_for(host, project_key)
    conf = settings.get("sender") or {}
    logo = ""
    if conf.get("logo"):
        logo = Sender.logo_from_file(host.config.resolve_path(conf["logo"]))
    return Sender(
        name=conf.get("name") or host.project_config(project_key)["name"],
        address_lines=tuple(conf.get("address_lines") or ()),
        reply_number=settings.get("reply_number", ""),
        logo_data_uri=logo,
        phone=conf.get("phone", ""),
        email=conf.get("email", ""),
    )


def template_source(host: Amsflow, session: Session, project_key: str) -> str:
    """The admin's saved template, else the configured file, else the built-in letter."""
    saved = session.get(LetterTemplate, project_key)
    if saved is not None:
        return saved.source
    configured = settings_for(host, project_key).get("template")
    if configured:
        return host.config.resolve_path(configured).read_text(encoding="utf-8")
    return default_template()


def ensure_reply_code(host: Amsflow, session: Session, issue: Issue, author: Any = None) -> str:
    """The order's reply code, made and stored (with history) if it has none.

    The SMS plugin owns reply codes (one code space, unique among open orders, the
    same reply handling), so letters ask it rather than keep their own. ``author``
    is who the history names (default: the system user).
    """
    from plugins.sms.store import ensure_reply_code as sms_ensure_reply_code

    return sms_ensure_reply_code(host, session, issue, author)


def letter_data(host: Amsflow, issue: Issue, reply_code: str) -> LetterData:
    """Everything the letter prints about this order."""
    values = values_of(host, issue)
    estimate = values.get("estimate")
    installer = issue.assignee.display_name if issue.assignee else ""
    return LetterData(
        key=issue.key,
        customer_name=values.get("customer_name") or "",
        address=values.get("address") or "",
        postcode=values.get("postcode") or "",
        city=values.get("post_town") or "",
        planned_start=values["planned_start"],
        reply_code=reply_code,
        installer=installer,
        estimate=timedelta(seconds=estimate) if estimate else None,
        meter_number=values.get("meter_number") or "",
    )
