"""What a gadget type is: the contract between dashboards and the plugins that add
gadget types through ``register_gadgets``.

A gadget type declares its names (bokmål and English), the marshmallow schema of its
own settings, a data function and the browser script that draws it. The dashboard
calls the data function on the server with a :class:`GadgetContext` (the viewer,
the filter's JQL compiled with the viewer's browse permission, the settings), sends
the JSON it returns to the browser, and there the script the type names draws it::

    amsflowGadgets.define("stamp.count", {render(el, data, gadget) { ... }});

Nothing here depends on Flask: data functions also run in benchmarks and jobs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from ..i18n import in_language

DataFunction = Callable[["GadgetContext"], dict[str, Any]]


@dataclass(frozen=True)
class GadgetType:
    """One kind of gadget (pie chart, filter results, calendar ...).

    ``key``: unique, prefixed with the plugin (``gadgets.pie``, ``bookit.calendar``).
    ``data(ctx) -> dict``: the JSON the browser script draws; raise ``ValueError``
    for a setting that cannot work (shown in the gadget, not as a failed page).
    ``config``: a marshmallow ``Schema`` (class) of the type's own settings; each
    field's ``metadata`` may give ``label``/``label_en`` and ``choices`` (a list of
    ``(value, label)``, or ``"fields"`` for any field an order has) so the gadget's
    form draws it. The dashboard adds the settings every filter gadget has itself:
    ``filterId`` or ``jql``, and ``refresh`` (minutes).
    ``script``: ``(endpoint, filename)`` of the static file that defines the renderer
    (``url_for(endpoint, filename=...)``), ``vendor``: npm files it needs first
    (``"chart.js/dist/chart.umd.min.js"``, as ``vendor_url`` takes them).
    ``uses_filter``: False for gadgets that are not fed by a filter (activity stream
    over all visible orders, a welcome text).
    """

    key: str
    name: str
    name_en: str
    data: DataFunction
    description: str = ""
    description_en: str = ""
    config: type[Schema] | None = None
    script: tuple[str, str] = ("dashboards_web.static", "gadgets.js")
    vendor: tuple[str, ...] = ()
    uses_filter: bool = True
    default_config: dict[str, Any] = field(default_factory=dict)
    plugin: str = ""  # filled in by the registry

    def title(self) -> str:
        return in_language(self.name, self.name_en)

    def text(self) -> str:
        return in_language(self.description, self.description_en)

    def load_config(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        """The type's settings checked by its schema (unknown keys are kept out).
        Raises ``marshmallow.ValidationError``."""
        if self.config is None:
            return {}
        from marshmallow import EXCLUDE

        data = {**self.default_config, **(raw or {})}
        return self.config(unknown=EXCLUDE).load(data)


@dataclass
class GadgetContext:
    """What a data function gets: who looks, at which orders, with which settings.

    ``query`` is the filter's JQL compiled for ``viewer`` (browse permission applied:
    an installer counts only their own orders); ``ctx.count()``, ``ctx.counts_by(field)``
    and the other helpers of :class:`core.dashboards.query.GadgetQuery` read it.
    """

    host: Any
    session: Any
    viewer: Any
    config: dict[str, Any]
    jql: str
    query: Any  # core.dashboards.query.GadgetQuery
    filter: Any = None  # the SavedFilter, when the gadget names one
    now: Any = None

    @property
    def lang(self) -> str:
        from ..i18n import in_language as pick

        return pick("nb", "en")

    def count(self) -> int:
        return self.query.count()

    def counts_by(self, field_name: str) -> list[dict[str, Any]]:
        return self.query.counts_by(field_name)

    def issues(self, limit: int = 50) -> list[Any]:
        return self.query.issues(limit)
