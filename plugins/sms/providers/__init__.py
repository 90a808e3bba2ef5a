"""SMS gateway providers: Link Mobility over HTTP, and a local folder."""

from plugins.sms.providers.base import (
    DeliveryReport,
    DeliveryState,
    InboundSms,
    OutboundSms,
    SendResult,
    SendStatus,
    SmsProvider,
    WebhookError,
    WebhookRequest,
)
from plugins.sms.providers.link import LinkMobilityProvider, LinkSettings
from plugins.sms.providers.local import LocalFolderProvider

__all__ = [
    "DeliveryReport",
    "DeliveryState",
    "InboundSms",
    "LinkMobilityProvider",
    "LinkSettings",
    "LocalFolderProvider",
    "OutboundSms",
    "SendResult",
    "SendStatus",
    "SmsProvider",
    "WebhookError",
    "WebhookRequest",
]
