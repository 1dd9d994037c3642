"""The XML writers never emit a character XML 1.0 forbids, whatever a driver returns (issue 11).

A driver whose every field holds C0 controls, lone surrogates, U+FFFE/U+FFFF and markup is
served by a threaded WSGI server on loopback; every document it answers must parse.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests
from defusedxml import ElementTree

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.testing import installed_entry_point

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 10


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``/api`` of the hostile driver, served over loopback HTTP."""
    directory = tmp_path_factory.mktemp("hostile-driver")
    shutil.copy(FIXTURES / "hostile_driver.py", directory / "hostile_driver.py")
    with installed_entry_point(directory, "hostile", "hostile_driver:HostileDriver"):
        app = create_app(ServerConfig(driver="hostile"))
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/api"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


@pytest.mark.parametrize("path", ["/realms", "/realms/r1", "/hardware_profiles", "/hardware_profiles/p1",
                                  "/images", "/images/i1", "/instances", "/instances/vm1", "/images/nope",
                                  "/keys", "/keys/k1", "/storage_volumes", "/storage_volumes/v1", "/firewalls",
                                  "/firewalls/f1", "/buckets", "/buckets/b1"])
def test_every_document_parses(base_url: str, path: str) -> None:
    resp = requests.get(f"{base_url}{path}", auth=("u", "p"), timeout=TIMEOUT)
    assert resp.status_code in (200, 404)
    doc = ElementTree.fromstring(resp.content)  # raises on any character XML 1.0 forbids
    text = "".join(doc.itertext()) + "".join(v for el in doc.iter() for v in el.attrib.values())
    assert "\ufffd" in text or resp.status_code == 404
    assert "<m>&n'o\"p]]>q" in text or resp.status_code == 404  # markup survives as text


def test_action_answers_parse(base_url: str) -> None:
    resp = requests.post(f"{base_url}/instances/vm1/stop", auth=("u", "p"), timeout=TIMEOUT)
    assert resp.status_code in (200, 202)
    ElementTree.fromstring(resp.content)


@pytest.mark.parametrize("path", ["/instances", "/instances/vm1", "/images", "/realms/r1", "/keys", "/storage_volumes",
                                  "/firewalls", "/buckets"])
def test_json_and_html_are_valid_utf8(base_url: str, path: str) -> None:
    resp = requests.get(f"{base_url}{path}", auth=("u", "p"), timeout=TIMEOUT, headers={"Accept": "application/json"})
    assert resp.status_code == 200
    assert resp.json()
    page = requests.get(f"{base_url}{path}", auth=("u", "p"), timeout=TIMEOUT, headers={"Accept": "text/html"})
    assert page.status_code == 200
    page.content.decode("utf-8")  # strict: a lone surrogate would not have been encodable
