"""The second client of the bulk benchmark: the app served by gunicorn on loopback
and a reader that keeps fetching orders over the REST API, timing each request."""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(cfg: Path, folder: Path, workers: int = 2) -> Server:
    """gunicorn with the instance config; returns once it answers."""
    port = _free_port()
    env = {**os.environ, "AMSFLOW_CONFIG": str(cfg), "PYTHONPATH": str(ROOT),
           "AMSFLOW_SECRET_KEY": os.environ.get("AMSFLOW_SECRET_KEY", "bench")}
    log = (folder / "gunicorn.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
                             f"127.0.0.1:{port}", "core.wsgi:app"], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return Server(f"http://127.0.0.1:{port}", proc)
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


class Reader:
    """Fetches random orders one after another (``pace`` seconds apart) and records
    each request's latency under the current phase ("idle" or "run")."""

    def __init__(self, url: str, token: str, key_range: list[Any], pace: float = 0.05
                 ) -> None:
        host_port = url.split("//", 1)[1]
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.token = token
        prefix, first = str(key_range[0]).rsplit("-", 1)
        self.prefix, self.first, self.last = prefix, int(first), int(
            str(key_range[1]).rsplit("-", 1)[1])
        self.pace = pace
        self.phase = "idle"
        self.samples: list[tuple[str, float]] = []
        self.errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="reader")

    def __enter__(self) -> Reader:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def mark(self, phase: str) -> None:
        self.phase = phase

    def reset(self) -> None:
        self.samples.clear()

    def _loop(self) -> None:
        rng = random.Random(7)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        while not self._stop.is_set():
            key = f"{self.prefix}-{rng.randint(self.first, self.last)}"
            phase = self.phase
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                conn.request("GET", f"/rest/api/2/issue/{key}", headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            if ok:
                self.samples.append((phase, time.perf_counter() - started))
            else:
                self.errors += 1
            time.sleep(self.pace)

    def count(self, phase: str) -> int:
        return sum(1 for p, _ in self.samples if p == phase)

    def p95(self, phase: str) -> float:
        values = sorted(v for p, v in self.samples if p == phase)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(len(values) * 0.95))]
