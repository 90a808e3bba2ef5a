"""The provider each project uses, built once per host from its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from plugins.sms.providers import LinkMobilityProvider, LinkSettings, LocalFolderProvider
from plugins.sms.providers.base import SmsProvider
from plugins.sms.quiet import QuietHours
from plugins.sms.store import settings_for

if TYPE_CHECKING:
    from core.host import Amsflow

_PROVIDERS: WeakKeyDictionary[Any, dict[str, SmsProvider]] = WeakKeyDictionary()


def build_provider(host: Amsflow, settings: dict[str, Any]) -> SmsProvider:
    """A provider from one project's settings (secrets come from the environment)."""
    if settings.get("provider") == "link":
        return LinkMobilityProvider(LinkSettings(sender=settings["sender"], **settings["link"]))
    local = settings["local"]
    folder = host.data_dir / local["folder"]  # an absolute folder replaces data_dir
    return LocalFolderProvider(folder, secret_env=local["secret_env"])


def provider_for(host: Amsflow, project_key: str) -> SmsProvider:
    """The project's provider (cached on the host, so each app has its own)."""
    per_host = _PROVIDERS.setdefault(host, {})
    if project_key not in per_host:
        per_host[project_key] = build_provider(host, settings_for(host, project_key))
    return per_host[project_key]


def quiet_hours(settings: dict[str, Any]) -> QuietHours:
    return QuietHours(settings["quiet_start"], settings["quiet_end"], settings["timezone"])
