"""The access log and request ids of a real ``deltacloudd``: one honest line per request, nothing secret in it."""

from __future__ import annotations

import http.client
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from deltacloud.http import accesslog
from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

AUTH = ("mockuser", "mockpassword")
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z request_id=(\S+) method=(\S+) path=(\S+) status=(\d{3}) "
                  r"duration_ms=(\d+\.\d) driver=(\S+) provider=(\S+) client=(\S+)$")


@pytest.fixture(scope="module")
def logged(deltacloudd_module: Deltaclouds) -> tuple[ServerProcess, Path]:
    """A server writing its access log to a file of its own (``-L FILE``)."""
    log = deltacloudd_module.workdir / "access.log"
    return deltacloudd_module.start("-L", str(log)), log


def _lines(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def _raw_get(server: ServerProcess, target: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", target, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_every_request_gets_one_line_and_an_id(logged: tuple[ServerProcess, Path]) -> None:
    server, log = logged
    before = len(_lines(log))
    answers = [requests.get(f"{server.url}/realms", auth=AUTH, timeout=10),
               requests.get(f"{server.url}/instances/nope", auth=AUTH, timeout=10),
               requests.get(f"{server.url}/instances", timeout=10)]
    lines = _lines(log)[before:]
    assert len(lines) == 3, lines
    for answer, line in zip(answers, lines, strict=True):
        match = LINE.match(line)
        assert match, line
        rid, method, path, status, _, driver, provider, client = match.groups()
        assert rid == answer.headers["X-Request-Id"] and re.fullmatch(r"[0-9a-f]{32}", rid)
        assert (method, int(status), driver, provider, client) == ("GET", answer.status_code, "mock", "-",
                                                                   "127.0.0.1")
        assert path == urlsplit(answer.url).path
    assert [answer.status_code for answer in answers] == [200, 404, 401]
    assert len({answer.headers["X-Request-Id"] for answer in answers}) == 3


def test_a_sane_client_id_is_kept_and_another_replaced(logged: tuple[ServerProcess, Path]) -> None:
    server, log = logged
    kept = requests.get(f"{server.url}/realms", auth=AUTH, timeout=10, headers={"X-Request-Id": "lb-7f3a:42.1"})
    assert kept.headers["X-Request-Id"] == "lb-7f3a:42.1"
    assert "request_id=lb-7f3a:42.1 " in _lines(log)[-1]
    for offered in ("two words", "x" * 129, "id\tx", "<script>", "-leading-dash"):
        replaced = _raw_get(server, "/api/realms", {"X-Request-Id": offered})
        rid = replaced.getheader("X-Request-Id")
        assert rid != offered and re.fullmatch(r"[0-9a-f]{32}", rid or ""), (offered, rid)
        assert f"request_id={rid} " in _lines(log)[-1]


def test_an_encoded_newline_cannot_forge_a_line(logged: tuple[ServerProcess, Path]) -> None:
    server, log = logged
    before = len(_lines(log))
    forged = "request_id=forged method=GET path=/api status=200"
    target = "/api/realms%0D%0A" + forged.replace(" ", "%20") + "%0A%1B[31m"
    answer = _raw_get(server, target, {})
    assert answer.status == 404
    lines = _lines(log)[before:]
    assert len(lines) == 1, lines
    assert LINE.match(lines[0]), lines[0]
    assert "path=/api/realms%0D%0Arequest_id%3Dforged%20method%3DGET" in lines[0]
    assert "\x1b" not in log.read_text(encoding="utf-8")


def test_no_credentials_or_query_strings_in_the_log(logged: tuple[ServerProcess, Path]) -> None:
    server, log = logged
    before = len(_lines(log))
    requests.get(f"{server.url}/instances?user_data=s3cr3t-query&state=RUNNING", auth=AUTH, timeout=10)
    requests.get(f"{server.url}/images;instance_id=matrix-s3cr3t", auth=("AKIA-secret-user", "pw-s3cr3t"),
                 timeout=10)
    requests.get(f"{server.url}/realms", auth=AUTH, timeout=10,
                 headers={"X-Deltacloud-Driver": "ec2",
                          "X-Deltacloud-Provider": "http://urluser:urlpass@127.0.0.1:9/?token=t0ken#frag"})
    lines = _lines(log)[before:]
    assert len(lines) == 3, lines
    text = "\n".join(lines)
    for secret in ("mockpassword", "mockuser", "bW9ja3VzZXI6bW9ja3Bhc3N3b3Jk", "s3cr3t", "AKIA", "urluser",
                   "urlpass", "t0ken", "frag", "user_data", "state=RUNNING"):
        assert secret not in text, (secret, text)
    assert "path=/api/instances " in lines[0] and "path=/api/images " in lines[1]
    assert "driver=ec2 " in lines[2]
    assert "provider=http://127.0.0.1:9/ " in lines[2]


def test_escape_and_provider_rules() -> None:
    assert accesslog.escape("/api/a b\n\x00\"'") == "/api/a%20b%0A%00%22'"
    assert accesslog.escape("") == "-"
    assert accesslog.escape("/é") == "/%E9"  # WSGI strings carry bytes as Latin-1
    assert accesslog.escape("/€") == "/%E2%82%AC"
    assert len(accesslog.escape("x" * 1000)) <= 303
    assert accesslog.safe_provider("https://u:p@[::1]:8443/api?k=v#f") == "https://[::1]:8443/api"
    assert accesslog.safe_provider("us-east-1") == "us-east-1"
    assert accesslog.request_id("abc-1") == "abc-1"
    assert accesslog.request_id(None) != accesslog.request_id(None)


def test_new_request_ids_are_32_hex_digits_and_differ_between_forked_workers() -> None:
    """Ids come from a generator seeded per process: a forked worker (gunicorn's) does not repeat its parent's."""
    assert re.fullmatch(r"[0-9a-f]{32}", accesslog.request_id(None))
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: write one id and leave at once
        os.write(writer, accesslog.request_id(None).encode())
        os._exit(0)
    os.close(writer)
    try:
        from_child = os.read(reader, 64).decode()
    finally:
        os.close(reader)
        os.waitpid(child, 0)
    assert re.fullmatch(r"[0-9a-f]{32}", from_child) and from_child != accesslog.request_id(None)


def test_a_rotated_log_file_is_opened_again(logged: tuple[ServerProcess, Path]) -> None:
    server, log = logged
    requests.get(f"{server.url}/realms", auth=AUTH, timeout=10)
    rotated = log.with_name("access.log.1")
    log.rename(rotated)
    answer = requests.get(f"{server.url}/realms", auth=AUTH, timeout=10)
    assert f"request_id={answer.headers['X-Request-Id']} " in log.read_text(encoding="utf-8")
    assert answer.headers["X-Request-Id"] not in rotated.read_text(encoding="utf-8")


def test_with_the_log_off_the_request_id_still_goes_out_once() -> None:
    import logging

    quiet = logging.getLogger("deltacloud.test.quiet")
    quiet.setLevel(logging.WARNING)
    sent: list[list[tuple[str, str]]] = []

    def app(environ: dict, start_response: object) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Request-Id", "from-the-app")])  # type: ignore[operator]
        return [environ[accesslog.ENVIRON_KEY].encode()]

    wrapped = accesslog.AccessLog(app, logger=quiet)
    body = wrapped({"HTTP_X_REQUEST_ID": "lb-1", "REQUEST_METHOD": "GET", "PATH_INFO": "/api"},
                   lambda status, headers, exc_info=None: sent.append(headers))
    assert b"".join(body) == b"lb-1"
    assert [v for k, v in sent[0] if k.lower() == "x-request-id"] == ["lb-1"]  # the app's own one dropped
