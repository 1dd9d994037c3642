"""What is particular to the azure driver, over HTTP, on Azurite; and a 200 MB blob both ways.

The big blob goes through a real ``deltacloudd`` process, whose peak resident memory (VmHWM
of its workers, from /proc) shows the blob never sat in memory whole.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from deltacloud.testing import ServerProcess, start_deltacloudd
from deltacloud_conformance.client import DeltacloudApi

from .conftest import CREDENTIALS

BIG = 200 * 1024 * 1024
PIECE = 1024 * 1024


def test_compute_collections_are_empty_and_launching_is_501(api: DeltacloudApi) -> None:
    for collection in ("realms", "images", "instances", "hardware_profiles"):
        listing = api.xml(f"/{collection}")
        assert len(listing) == 0, f"{collection}: {len(listing)} items"
    refused = api.post("/instances", data={"image_id": "anything"})
    assert refused.status in (400, 501), refused.describe()
    api.get("/keys").expect(404)
    api.get("/storage_volumes").expect(404)


def test_a_bucket_with_blobs_is_409_and_blob_metadata_round_trips(api_server) -> None:
    base, name = api_server.url, f"dc-{uuid.uuid4().hex[:12]}"
    with requests.Session() as http:
        http.auth = CREDENTIALS
        assert http.post(f"{base}/buckets", data={"name": name}, timeout=30).status_code == 201
        assert http.post(f"{base}/buckets", data={"name": name}, timeout=30).status_code == 409
        put = http.put(f"{base}/buckets/{name}/notes.txt", data=b"hello azure", timeout=30,
                       headers={"Content-Type": "text/plain", "X-Deltacloud-Blobmeta-Owner": "me"})
        assert put.status_code == 200, put.text
        head = http.head(f"{base}/buckets/{name}/notes.txt", timeout=30)
        assert head.status_code == 204 and head.headers.get("x-deltacloud-blobmeta-owner") == "me"
        content = http.get(f"{base}/buckets/{name}/notes.txt/content", timeout=30)
        assert content.content == b"hello azure" and content.headers["content-type"].startswith("text/plain")
        assert http.delete(f"{base}/buckets/{name}", timeout=30).status_code == 409
        assert http.delete(f"{base}/buckets/{name}/notes.txt", timeout=30).status_code == 204
        assert http.delete(f"{base}/buckets/{name}/notes.txt", timeout=30).status_code == 404
        assert http.delete(f"{base}/buckets/{name}", timeout=30).status_code == 204


def test_a_key_that_is_not_base64_is_401(api_server) -> None:
    answer = requests.get(f"{api_server.url}/buckets", auth=(CREDENTIALS[0], "not base64!"), timeout=30)
    assert answer.status_code == 401
    assert "not base64!" not in answer.text


class _Body:
    """``size`` deterministic bytes, read in pieces (requests sends it with a Content-Length)."""

    def __init__(self, size: int) -> None:
        self.size, self.sent = size, 0
        self.digest = hashlib.sha256()

    def __len__(self) -> int:
        return self.size - self.sent

    def read(self, n: int = -1) -> bytes:
        n = min(PIECE if n < 0 else n, self.size - self.sent)
        if n <= 0:
            return b""
        start = self.sent
        data = bytes((start + i) * 7 % 251 for i in range(min(n, 251))) * (n // 251 + 1)
        data = data[:n]
        self.sent += n
        self.digest.update(data)
        return data


def _peak_kib(server: ServerProcess) -> int:
    peak = 0
    for pid in [server.process.pid, *server.children()]:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


@pytest.fixture
def deltacloudd(azurite: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real ``deltacloudd -i azure -P AZURITE`` process."""
    server = start_deltacloudd(tmp_path, "-P", azurite, driver="azure", timeout=30)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_a_200_mb_blob_goes_up_and_down_in_bounded_memory(deltacloudd: ServerProcess) -> None:
    base, auth = deltacloudd.url, CREDENTIALS
    bucket = f"big-{uuid.uuid4().hex[:12]}"
    with requests.Session() as http:
        http.auth = auth
        http.post(f"{base}/buckets", data={"name": bucket}, timeout=60).raise_for_status()
        before = _peak_kib(deltacloudd)
        body = _Body(BIG)
        put = http.put(f"{base}/buckets/{bucket}/big.bin", data=body, timeout=600,
                       headers={"Content-Type": "application/octet-stream"})
        assert put.status_code == 200, put.text[:500]
        down = hashlib.sha256()
        received = 0
        with http.get(f"{base}/buckets/{bucket}/big.bin/content", stream=True, timeout=600) as got:
            assert got.status_code == 200
            assert int(got.headers["content-length"]) == BIG
            for chunk in got.iter_content(PIECE):
                received += len(chunk)
                down.update(chunk)
        assert received == BIG and down.hexdigest() == body.digest.hexdigest()
        grown_mib = (_peak_kib(deltacloudd) - before) / 1024
        assert grown_mib < 64, f"the server's peak memory grew by {grown_mib:.0f} MiB for a 200 MiB blob"
        http.delete(f"{base}/buckets/{bucket}/big.bin", timeout=60).raise_for_status()
        http.delete(f"{base}/buckets/{bucket}", timeout=60).raise_for_status()
