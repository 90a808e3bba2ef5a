"""A wheel install (not editable) works: built from the sources, installed into a
fresh virtualenv, ``amsflow check-config`` finds the packaged demo config and its
workflow, and ``amsflow run --demo`` migrates, loads and serves, writing its data
in the current directory, not inside site-packages."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "var", "build", "dist",
                              "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
                              ".hypothesis", "benchmarks", "tests")


def _run(args: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kw)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_built_wheel_runs_from_a_fresh_virtualenv(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                  "-w", str(tmp_path / "dist"), str(src)])
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next((tmp_path / "dist").glob("amsflow-*.whl"))

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                      "['purelib'])"]).stdout.strip())
    # The dependencies come from the test's own environment; amsflow itself only from
    # the wheel (the editable install's finder is a .pth hook, not read from here).
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run([sys.executable, "-m", "pip", "--python", str(python), "install",
                      "--no-deps", str(wheel)])
    assert installed.returncode == 0, installed.stdout + installed.stderr

    work = tmp_path / "run"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("AMSFLOW_CONFIG", "PYTHONPATH", "AMSFLOW_DATABASE_URL")}
    env["AMSFLOW_SECRET_KEY"] = "wheel-test"
    where = _run([str(python), "-c", "import core, workflows; print(core.__file__)"],
                 cwd=work, env=env)
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr

    amsflow = str(venv / "bin" / "amsflow")
    checked = _run([amsflow, "check-config"], cwd=work, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK: 2 projects, 1 workflows" in checked.stdout

    port = _free_port()
    server = subprocess.Popen([amsflow, "run", "--demo", "--demo-orders", "5", "--port",
                               str(port)], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        status = _wait_for(f"http://127.0.0.1:{port}/health", server)
        assert status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as page:
            assert "amsflow" in page.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Demo data loaded" in output, output
    assert (work / "var" / "demo.sqlite").exists()
    assert not (site / "var").exists() and not (site.parent / "var").exists()


def _wait_for(url: str, server: subprocess.Popen[str]) -> int:
    """Poll until the server answers (the demo load runs first), or it stopped."""
    for _ in range(600):
        if server.poll() is not None:
            raise AssertionError(server.communicate()[0])
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the server did not answer in 300 s")
