"""The instance-wide settings of the filters plugin (``plugins.filters`` in the
instance config), checked at start-up with the file and line of a bad value.

```yaml
plugins:
  filters:
    base_url: https://ams.example.no   # links in subscription mails
```
SMTP itself is the instance's ``smtp:`` block (see ``core.mail``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, fields

from ..config import plugin_block

if TYPE_CHECKING:
    from ..host import Amsflow

KEY = "amsflow_filters_settings"


class FiltersSettings(Schema):
    class Meta:
        unknown = RAISE

    base_url = fields.Url(load_default="http://localhost:5000", require_tld=False)


def load(config: Any) -> dict[str, Any]:
    return plugin_block(config, "filters", FiltersSettings())


def settings(host: Amsflow) -> dict[str, Any]:
    cached = getattr(host, "_filters_settings", None)
    if cached is None:
        cached = load(host.config)
        host._filters_settings = cached  # type: ignore[attr-defined]
    return cached
