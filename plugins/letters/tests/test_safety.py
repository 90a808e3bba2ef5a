"""Letters print data as text and read nothing: no local files, no network, no scripts.

Each check has a control that runs plain wkhtmltopdf with the door open, to
prove the attack would have worked without our options.
"""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.letters.errors import TemplateFailed
from plugins.letters.render import render_pdf
from plugins.letters.templating import default_template

from .pdftext import pdf_text

SECRET = "HEMMELIG-7c1e5a"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.html"
    path.write_text(f"<html><body><p>{SECRET}</p></body></html>", encoding="utf-8")
    return path


def _open_door_text(html: str, tmp_path: Path) -> str:
    """What wkhtmltopdf renders with local file access and JavaScript switched on."""
    out = tmp_path / "open.pdf"
    subprocess.run(
        [shutil.which("wkhtmltopdf") or "wkhtmltopdf", "--quiet", "--enable-local-file-access",
         "--enable-javascript", "-", str(out)],
        input=html.encode(), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    return pdf_text(out)


def test_html_in_customer_name_is_printed_as_text(sender, make_letter, secret_file) -> None:
    name = f'Ola <b>Fet</b> <iframe src="file://{secret_file}"></iframe> file:///etc/passwd'
    text = pdf_text(render_pdf(make_letter(1, customer_name=name), sender))
    # The window wraps long names; compare without the line breaks it adds.
    flat = "".join(text.split())
    assert "".join(name.split()) in flat
    assert SECRET not in text and "root:x:0:0" not in text


def test_template_cannot_read_local_files(sender, make_letter, secret_file, tmp_path) -> None:
    attack = (
        f'<iframe src="file://{secret_file}" width="600" height="80"></iframe>'
        f'<object data="file://{secret_file}" type="text/html" width="600" height="80"></object>'
    )
    assert SECRET in _open_door_text(f"<html><body>{attack}</body></html>", tmp_path)
    text = pdf_text(render_pdf(make_letter(1), sender, default_template() + attack))
    assert SECRET not in text
    assert make_letter(1).reply_code in text


def test_pdfkit_meta_options_in_template_are_ignored(sender, make_letter, secret_file) -> None:
    attack = (
        '<meta name="pdfkit-enable-local-file-access" content="">'
        '<meta name="pdfkit-enable-javascript" content="">'
        f'<iframe src="file://{secret_file}" width="600" height="80"></iframe>'
    )
    text = pdf_text(render_pdf(make_letter(1), sender, default_template() + attack))
    assert SECRET not in text


def test_template_scripts_do_not_run(sender, make_letter, tmp_path) -> None:
    script = "<script>document.write('SKRIPT' + 'KJORTE')</script>"
    assert "SKRIPTKJORTE" in _open_door_text(f"<html><body>{script}</body></html>", tmp_path)
    text = pdf_text(render_pdf(make_letter(1), sender, default_template() + script))
    assert "SKRIPTKJORTE" not in text


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    handler = type("Recorder", (_Recorder,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()


def test_template_fetches_nothing_from_the_network(
    sender, make_letter, web_server, tmp_path
) -> None:
    base, requests = web_server
    attack = (
        f'<img src="{base}/logo.png"><link rel="stylesheet" href="{base}/style.css">'
        f'<iframe src="{base}/page.html"></iframe>'
    )
    _open_door_text(f"<html><body>{attack}</body></html>", tmp_path)
    assert requests, "control: plain wkhtmltopdf should have fetched something"
    requests.clear()
    render_pdf(make_letter(1), sender, default_template() + attack)
    assert requests == []


def test_template_sandbox_blocks_python_internals(sender, make_letter) -> None:
    escape = "{{ letter.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(TemplateFailed):
        render_pdf(make_letter(1), sender, escape)


def test_template_with_syntax_error_names_the_line(sender, make_letter) -> None:
    with pytest.raises(TemplateFailed) as info:
        render_pdf(make_letter(1), sender, "<p>ok</p>\n<p>{% if %}</p>")
    assert "linje 2" in info.value.user_message


def test_template_naming_an_unknown_value_fails_loudly(sender, make_letter) -> None:
    with pytest.raises(TemplateFailed) as info:
        render_pdf(make_letter(1), sender, "<p>{{ letter.no_such_field }}</p>")
    assert "AMS-1" in info.value.user_message
