"""Gadget data kept for its refresh interval, per gadget settings, filter and viewer
scope, so a dashboard that many planners open costs one query per gadget.

In Redis when the instance has one (shared by every server process), else in the
process's memory. A cached answer is only ever given to a viewer of the same scope
(``scope`` in the key: the viewer, or ``all`` when they see every order and the
query does not depend on who runs it).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

PREFIX = "amsflow:gadget:"
MAX_ENTRIES = 5000


def cache_key(*parts: Any) -> str:
    raw = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return PREFIX + hashlib.sha256(raw.encode()).hexdigest()[:32]


class GadgetCache:
    def __init__(self, redis_url: str | None = None) -> None:
        self._memory: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self._redis = None
        if redis_url:
            from redis import Redis

            self._redis = Redis.from_url(redis_url)

    def get(self, key: str) -> dict[str, Any] | None:
        if self._redis is not None:
            raw = self._redis.get(key)
            return json.loads(raw) if raw else None
        with self._lock:
            hit = self._memory.get(key)
            if hit is None or hit[0] < time.monotonic():
                self._memory.pop(key, None)
                return None
            return json.loads(hit[1])

    def set(self, key: str, value: dict[str, Any], seconds: int) -> None:
        raw = json.dumps(value, default=str)
        if self._redis is not None:
            self._redis.set(key, raw, ex=max(1, seconds))
            return
        with self._lock:
            if len(self._memory) >= MAX_ENTRIES:
                now = time.monotonic()
                self._memory = {k: v for k, v in self._memory.items() if v[0] >= now}
                if len(self._memory) >= MAX_ENTRIES:
                    self._memory.clear()
            self._memory[key] = (time.monotonic() + seconds, raw)

    def clear(self) -> None:
        if self._redis is not None:
            for key in self._redis.scan_iter(PREFIX + "*"):
                self._redis.delete(key)
        with self._lock:
            self._memory.clear()


def cache_of(host: Any) -> GadgetCache:
    """The host's cache (one per host, made on first use)."""
    found = getattr(host, "_gadget_cache", None)
    if found is None:
        found = GadgetCache(host.config["redis_url"])
        host._gadget_cache = found
    return found
