"""Scale-out: two ``deltacloudd`` sharing one mock store behind a real nginx (TLS at the proxy), on loopback.

nginx comes from Debian: the set-up installs ``nginx-light`` when no ``nginx`` is found and the tests
run as root (as CI does); otherwise the module is skipped with the reason. nginx names the server
that answered (``X-Upstream``), so the test can show that what one server made the other serves at
once, and that every link points at the proxy (``https://127.0.0.1:<proxy port>/api/...``), which
the servers learn from ``X-Forwarded-*`` (``deltacloud.http.forwarded``). The configuration is the
one ``docs/deployment.md`` shows, with test paths and ports.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from deltacloud.testing import Deltaclouds, ServerProcess, free_port

AUTH = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}

CONFIG = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream deltacloud {{
        server 127.0.0.1:{first};
        server 127.0.0.1:{second};
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {dir}/cert.pem;
        ssl_certificate_key {dir}/key.pem;
        client_max_body_size 0;
        location / {{
            proxy_pass http://deltacloud;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_request_buffering off;
            proxy_buffering off;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def find_nginx() -> str | None:
    """The nginx binary; installed from Debian (``nginx-light``) when missing and root; None otherwise."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for update in (False, True):
        if update:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=300, check=False)
        done = subprocess.run(["apt-get", "install", "-y", "-q", "nginx-light"], env=env, capture_output=True,
                              timeout=600, check=False)
        if done.returncode == 0:
            break
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _certificate(directory: Path) -> None:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the proxy's certificate")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(directory / "key.pem"),
                    "-out", str(directory / "cert.pem")], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def proxy(deltacloudd_module: Deltaclouds, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two servers on one mock store behind nginx; yields the proxy's https URL of ``/api``."""
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed (Debian package nginx-light; the set-up installs it only as root)")
    directory = tmp_path_factory.mktemp("nginx")
    _certificate(directory)
    store = directory / "store"
    servers: list[ServerProcess] = [deltacloudd_module.start("--log", "off", "--mock-storage", str(store))
                                    for _ in range(2)]
    ports = [int(s.url.split(":")[2].split("/")[0]) for s in servers]
    port = free_port()
    (directory / "nginx.conf").write_text(CONFIG.format(dir=directory, first=ports[0], second=ports[1], port=port))
    process = subprocess.Popen([nginx, "-p", str(directory), "-c", str(directory / "nginx.conf"),
                                "-e", str(directory / "error.log")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _request(url)
                break
            except (urllib.error.URLError, ConnectionError) as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (directory / "error.log").read_text() if (directory / "error.log").exists() else ""
                    pytest.fail(f"nginx did not answer on {url}: {exc}\n{log}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate, on loopback
    return context


def _request(url: str, data: bytes | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers={**AUTH, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30, context=_context()) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_an_instance_created_through_one_server_is_listed_by_the_other_at_once(proxy: str) -> None:
    status, headers, body = _request(f"{proxy}/instances", data=b"image_id=img1&hwp_id=m1-small")
    assert status == 201, body[:300]
    created_by = headers["x-upstream"]
    location = headers["location"]
    assert location.startswith(f"{proxy}/instances/")
    instance_id = location.rsplit("/", 1)[1]
    for _ in range(4):  # round robin: the next request or the one after goes to the other server
        status, headers, body = _request(f"{proxy}/instances")
        if headers["x-upstream"] != created_by:
            break
    assert headers["x-upstream"] != created_by, "nginx never asked the other server"
    assert status == 200
    root = ElementTree.fromstring(body)
    ours = [e for e in root.findall("instance") if e.get("id") == instance_id]
    assert len(ours) == 1
    assert ours[0].get("href") == f"{proxy}/instances/{instance_id}"
    hrefs = [e.get("href") for e in root.iter() if e.get("href")]
    assert hrefs and all(h.startswith(f"{proxy}/") for h in hrefs)


def test_every_link_of_the_entry_point_points_at_the_proxy_in_json_too(proxy: str) -> None:
    seen = set()
    for _ in range(2):  # both servers
        status, headers, body = _request(proxy, Accept="application/json")
        assert status == 200
        seen.add(headers["x-upstream"])
        links = [c["href"] for c in json.loads(body)["api"]["links"]]
        assert links and all(link.startswith(f"{proxy}/") for link in links)
    assert len(seen) == 2


def test_forwarded_headers_from_a_client_talking_to_a_server_directly_are_ignored(deltacloudd) -> None:
    server = deltacloudd.start("--log", "off", "--forwarded-allow-ips", "127.0.0.2")
    status, _, body = _request(server.url, **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})
    assert status == 200
    hrefs = [e.get("href") for e in ElementTree.fromstring(body).iter() if e.get("href")]
    assert hrefs and all(h.startswith(f"{server.url}/") for h in hrefs)


def test_a_trusted_proxy_sets_scheme_host_port_and_prefix_and_bad_values_are_ignored(deltacloudd) -> None:
    server = deltacloudd.start("--log", "off")  # loopback proxies are trusted by default
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cloud.example.com, inner.example",
                 "X-Forwarded-Port": "8443", "X-Forwarded-Prefix": "/deltacloud"}
    status, _, body = _request(f"{server.url}/instances", **forwarded)
    assert status == 200
    hrefs = [e.get("href") for e in ElementTree.fromstring(body).iter() if e.get("href")]
    assert hrefs and all(h.startswith("https://cloud.example.com:8443/deltacloud/api/") for h in hrefs)
    bad = {"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "a b/c", "X-Forwarded-Port": "99999",
           "X-Forwarded-Prefix": "/../x"}
    status, _, body = _request(server.url, **bad)
    assert status == 200
    hrefs = [e.get("href") for e in ElementTree.fromstring(body).iter() if e.get("href")]
    assert hrefs and all(h.startswith(f"{server.url}/") for h in hrefs)
