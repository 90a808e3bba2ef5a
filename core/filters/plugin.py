"""Hook implementations of the essential ``filters`` plugin."""

from __future__ import annotations

PLUGIN_NAME = "filters"
