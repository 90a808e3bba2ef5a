"""The instance-wide settings of the map (``plugins.mapit`` in the instance config),
checked at start-up with the file and line of a bad value.

```yaml
plugins:
  mapit:
    tile_url: https://tile.openstreetmap.org/{z}/{x}/{y}.png   # null: outline only
    tile_attribution: '&copy; OpenStreetMap contributors'
    alert_statuses: [manual_followup, rejected_quant]           # orange marker with "!"
    cluster_above: 5000        # more points than this in view: clusters from the server
    max_results: 100000        # most points in one page of the GeoJSON API
```
The map is one for the instance (a planner sees both grid companies at once), so its
settings are not per project; a project enables the plugin to put its orders on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.yamlsource import ConfigError, first_error

if TYPE_CHECKING:
    from core.host import Amsflow

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                   'OpenStreetMap</a>')


class MapitSettings(Schema):
    class Meta:
        unknown = RAISE

    tile_url = fields.String(load_default=OSM_TILES, allow_none=True)
    tile_attribution = fields.String(load_default=OSM_ATTRIBUTION)
    alert_statuses = fields.List(fields.String(),
                                 load_default=lambda: ["manual_followup", "rejected_quant"])
    cluster_above = fields.Integer(load_default=5000, validate=validate.Range(min=1))
    max_results = fields.Integer(load_default=100000, validate=validate.Range(min=1,
                                                                             max=200000))
    center = fields.List(fields.Float(), load_default=lambda: [64.5, 12.0],
                         validate=validate.Length(equal=2))
    zoom = fields.Integer(load_default=5, validate=validate.Range(min=1, max=18))


def load(config: Any, statuses: set[str] | None = None) -> dict[str, Any]:
    raw = (config.get("plugins") or {}).get("mapit") or {}
    try:
        out = MapitSettings().load(raw)
        unknown = [s for s in out["alert_statuses"] if statuses is not None
                   and s not in statuses]
        if unknown:
            raise ValidationError({"alert_statuses": [f"unknown status '{unknown[0]}'"]})
    except ValidationError as exc:
        where, message = first_error(exc.messages)
        path = ("plugins", "mapit", *where)
        raise ConfigError(f"{'.'.join(map(str, path))}: {message}", config.path,
                          config.line(*path)) from exc
    return out


def settings(host: Amsflow) -> dict[str, Any]:
    cached = getattr(host, "_mapit_settings", None)
    if cached is None:
        cached = load(host.config, set(host.all_statuses()))
        host._mapit_settings = cached  # type: ignore[attr-defined]
    return cached
