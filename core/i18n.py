"""Messages in the caller's language: ``_()`` for text raised by services, the workflow,
plugins and the API, which also run outside any request (rq workers, threads, the CLI).

Msgids are written in bokmål (the default language) with named ``%(placeholders)s``;
``pybabel extract`` finds ``_()``, ``gettext()`` and ``_l()`` calls by name (see
``core/web/babel.cfg``). Modules that use ``_`` as a throwaway variable import ``gettext``.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from flask import current_app, has_request_context


def _(msgid: str, **params: Any) -> str:
    """``msgid`` translated for the current request; outside a request (a job, the CLI,
    a thread) the bokmål msgid itself, so such callers never depend on Flask state."""
    if has_request_context() and "babel" in current_app.extensions:
        return flask_babel.gettext(msgid, **params)
    return msgid % params if params else msgid


gettext = _


def in_language(name: str, name_en: str | None) -> str:
    """A configured name (status, transition, field) in the caller's language: the
    config's ``name_en`` for an English request when it has one, else ``name``."""
    if name_en and has_request_context() and "babel" in current_app.extensions \
            and str(flask_babel.get_locale() or "")[:2] == "en":
        return name_en
    return name


def _l(msgid: str, **params: Any) -> flask_babel.LazyString:
    """``_()`` evaluated when the text is used: for messages fixed at import time."""
    return flask_babel.LazyString(_, msgid, **params)
