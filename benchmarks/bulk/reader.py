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
    each request's latency under the current phase ("idle" or "run").

    The requests are timed in a process of their own, as another user's client
    would be: timed on a thread of this process they waited for the GIL whenever
    the Link stand-in (which answers the workers' SMS here) held it, which counted
    the benchmark's own work as the reader's latency. Samples carry their start
    time (CLOCK_MONOTONIC, the same in every process) and take the phase that was
    marked when they started."""

    def __init__(self, url: str, token: str, key_range: list[Any], pace: float = 0.05
                 ) -> None:
        prefix, first = str(key_range[0]).rsplit("-", 1)
        last = str(key_range[1]).rsplit("-", 1)[1]
        self.args = [url, token, prefix, first, last, str(pace)]
        self.marks: list[tuple[float, str]] = [(0.0, "idle")]
        self.samples: list[tuple[str, float]] = []
        self.errors = 0
        self._proc: subprocess.Popen[str] | None = None
        self._thread = threading.Thread(target=self._collect, daemon=True, name="reader")

    def __enter__(self) -> Reader:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bulk.reader",
                                       *self.args], env=env, cwd=ROOT,
                                      stdout=subprocess.PIPE, text=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)
        self._thread.join(10)

    def mark(self, phase: str) -> None:
        self.marks.append((time.monotonic(), phase))

    def reset(self) -> None:
        self.samples.clear()

    def _phase_at(self, moment: float) -> str:
        phase = "idle"
        for since, name in self.marks:
            if since <= moment:
                phase = name
        return phase

    def _collect(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            started, latency = line.split()
            if latency == "error":
                self.errors += 1
            else:
                self.samples.append((self._phase_at(float(started)), float(latency)))

    def count(self, phase: str) -> int:
        return sum(1 for p, _ in self.samples if p == phase)

    def p95(self, phase: str) -> float:
        values = sorted(v for p, v in self.samples if p == phase)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(len(values) * 0.95))]


def read_forever(url: str, token: str, prefix: str, first: int, last: int,
                 pace: float) -> None:
    """The reader process: one line per request, its start (monotonic) and latency."""
    host, port = url.split("//", 1)[1].split(":")
    rng = random.Random(7)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    while True:
        key = f"{prefix}-{rng.randint(first, last)}"
        started = time.monotonic()
        clock = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.request("GET", f"/rest/api/2/issue/{key}", headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            ok = response.status == 200
        except OSError:
            ok = False
        spent = time.perf_counter() - clock
        print(f"{started:.6f} {spent:.6f}" if ok else f"{started:.6f} error", flush=True)
        time.sleep(pace)


if __name__ == "__main__":
    url_, token_, prefix_, first_, last_, pace_ = sys.argv[1:7]
    read_forever(url_, token_, prefix_, int(first_), int(last_), float(pace_))
