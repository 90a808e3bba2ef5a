"""Running wkhtmltopdf safely: one HTML document in, one PDF out.

pdfkit builds the command line; we run it ourselves so a hung converter hits a
timeout. The options shut every door the HTML could open: no local files, no
JavaScript, no plugins, and all network traffic sent to a dead loopback proxy,
so an ``http://`` or ``file://`` reference in a template or in data fetches
nothing. pdfkit reads ``<meta name="pdfkit-...">`` tags from the HTML as extra
options; a random prefix per process means no template can switch a door back on.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from functools import lru_cache
from io import BytesIO

import pdfkit
from pypdf import PdfReader

from .errors import RenderFailed, WkhtmltopdfMissing

log = logging.getLogger(__name__)

DEAD_PROXY = "http://127.0.0.1:9"
_META_PREFIX = f"amsflow-{secrets.token_hex(16)}-"

SAFE_OPTIONS: dict[str, str | None] = {
    "quiet": None,
    "encoding": "UTF-8",
    "page-size": "A4",
    "margin-top": "0",
    "margin-right": "0",
    "margin-bottom": "0",
    "margin-left": "0",
    "disable-local-file-access": None,
    "disable-javascript": None,
    "disable-plugins": None,
    "proxy": DEAD_PROXY,
    "load-error-handling": "ignore",
    "load-media-error-handling": "ignore",
}


def find_wkhtmltopdf(configured: str | None = None) -> str:
    """Path of the wkhtmltopdf binary, or WkhtmltopdfMissing."""
    path = configured or shutil.which("wkhtmltopdf")
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise WkhtmltopdfMissing(f"wkhtmltopdf executable not found (looked for {configured!r})")
    return path


def html_to_pdf(html: str, binary: str | None = None, timeout: float = 300.0) -> bytes:
    """Convert one HTML document to PDF bytes with the safe options."""
    path = find_wkhtmltopdf(binary)
    config = pdfkit.configuration(wkhtmltopdf=path, meta_tag_prefix=_META_PREFIX)
    args = pdfkit.PDFKit(html, "string", options=dict(SAFE_OPTIONS), configuration=config).command()
    env = _quiet_env()
    try:
        done = subprocess.run(
            args, input=html.encode("utf-8"), capture_output=True, timeout=timeout, env=env
        )
    except (FileNotFoundError, PermissionError) as exc:
        raise WkhtmltopdfMissing(f"cannot start wkhtmltopdf at {path}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderFailed(
            f"wkhtmltopdf timed out after {timeout:.0f}s",
            "Brevet kunne ikke lages: PDF-genereringen brukte for lang tid.",
        ) from exc
    stderr = done.stderr.decode("utf-8", "replace").strip()
    complete = done.stdout.startswith(b"%PDF") and b"%%EOF" in done.stdout[-64:]
    if done.returncode == 1 and complete:
        # Exit 1 with a whole PDF: a blocked fetch (file, network) was ignored, as intended.
        log.warning("wkhtmltopdf ignored load errors: %s", stderr[-500:])
        return done.stdout
    if done.returncode != 0 or not complete:
        log.error("wkhtmltopdf failed (exit %s): %s", done.returncode, stderr[-2000:])
        raise RenderFailed(
            f"wkhtmltopdf exited with code {done.returncode}: {stderr[-500:] or 'no output'}"
        )
    return done.stdout


_CALIBRATION_MM = 100.0
_CALIBRATION_HTML = (
    '<html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0}</style></head>'
    f'<body><div style="position:absolute;left:{_CALIBRATION_MM:.0f}mm;top:10mm">CALIBRATE</div>'
    "</body></html>"
)
_calibration_lock = threading.Lock()


def mm_zoom(binary: str | None = None, timeout: float = 60.0) -> float:
    """CSS zoom that makes one CSS millimetre one millimetre on paper.

    wkhtmltopdf built against an unpatched Qt (Debian's) lays pages out about
    23 % smaller than CSS units say, and ignores ``--zoom``/``--dpi``. Window
    envelopes need real millimetres, so we measure where a known mark lands
    once per binary and scale the letters with CSS ``zoom``.
    """
    with _calibration_lock:
        return _measure_zoom(find_wkhtmltopdf(binary), timeout)


@lru_cache(maxsize=4)
def _measure_zoom(path: str, timeout: float) -> float:
    pdf = html_to_pdf(_CALIBRATION_HTML, path, timeout=timeout)
    found: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if "CALIBRATE" in text:
            found.append((cm[0] * tm[4] + cm[4]) / 72 * 25.4)

    PdfReader(BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    if not found or found[0] <= 0:
        log.warning("wkhtmltopdf calibration mark not found; assuming no scaling")
        return 1.0
    return round(_CALIBRATION_MM / found[0], 4)


def _quiet_env() -> dict[str, str]:
    """Environment without proxy variables and with a private runtime dir for Qt."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    runtime = os.path.join(tempfile.gettempdir(), f"amsflow-wkhtml-{os.getuid()}")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    env["XDG_RUNTIME_DIR"] = runtime
    return env
