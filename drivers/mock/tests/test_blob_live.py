"""Buckets and blobs over real HTTP: ``deltacloudd`` processes on loopback, sharing one mock store.

* a blob of 512 MiB goes up (chunked) and comes back while the server worker's peak resident
  memory is read from ``/proc``: it must grow by a small fraction of the blob;
* two servers fill one bucket at once, overwrite the same blobs and delete some: afterwards
  every blob is there, complete, with the metadata of the very upload its content came from,
  both servers list the same bucket, and no file is left that no document names.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree

from deltacloud.testing import Deltaclouds, ServerProcess

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("mock_blobdata", Path(__file__).with_name("blobdata.py"))
blobdata = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mock_blobdata", blobdata)
_spec.loader.exec_module(blobdata)

AUTH = ("mockuser", "mockpassword")
START_TIMEOUT = 15.0
BIG = 512 * blobdata.MIB
#: How much the worker's peak resident memory may grow while a BIG blob goes up and down.
ALLOWED_GROWTH = 32 * blobdata.MIB


def _worker(server: ServerProcess) -> int:
    """The pid of the (single) worker process of a ``deltacloudd``."""
    workers = server.children()
    assert len(workers) == 1, f"expected one worker under {server.process.pid}:\n{server.output()}"
    return workers[0]


def _peak_rss(pid: int) -> int:
    """The peak resident set size of ``pid`` in bytes (``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise LookupError("VmHWM")


@pytest.fixture
def start_server(deltacloudd: Deltaclouds) -> Callable[[Path], ServerProcess]:
    """Start ``deltacloudd -i mock`` on a free port with the given storage directory; stopped at teardown."""

    def start(storage: Path) -> ServerProcess:
        return deltacloudd.start("--mock-storage", str(storage), "--threads", "2", timeout=START_TIMEOUT)

    return start


def _download(url: str) -> tuple[int, str]:
    """Size and MD5 of a blob's content, streamed in 1 MiB pieces."""
    digest, size = hashlib.md5(usedforsecurity=False), 0
    with requests.get(url, auth=AUTH, stream=True, timeout=60) as response:
        assert response.status_code == 200, response.text
        for chunk in response.iter_content(blobdata.MIB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _blob_files(storage: Path) -> list[Path]:
    return [p for p in (storage / "blobs").rglob("*") if p.is_file() and "incoming" not in p.parts]


def test_a_large_blob_streams_through_a_real_server_in_bounded_memory(start_server, tmp_path):
    server = start_server(tmp_path / "store")
    worker = _worker(server)
    warm = requests.put(f"{server.url}/buckets/bucket1/warm", data=b"w" * (3 * blobdata.MIB), auth=AUTH, timeout=30)
    assert warm.status_code == 200 and _download(f"{server.url}/buckets/bucket1/warm/content")[0] == 3 * blobdata.MIB
    baseline = _peak_rss(worker)

    body = blobdata.Generated(BIG)
    put = requests.put(f"{server.url}/buckets/bucket1/big", data=body.chunks(), auth=AUTH, timeout=120,
                       headers={"Content-Type": "application/x-big", "X-Deltacloud-Blobmeta-Kind": "big"})
    assert put.status_code == 200, put.text  # sent chunked: no Content-Length
    shown = ElementTree.fromstring(put.content)
    assert shown.findtext("content_length") == str(BIG) and shown.findtext("user_metadata/entry") == "big"
    after_upload = _peak_rss(worker)
    size, digest = _download(f"{server.url}/buckets/bucket1/big/content")
    after_download = _peak_rss(worker)

    assert (size, digest) == (BIG, body.digest.hexdigest())
    print(f"\n{BIG // blobdata.MIB} MiB blob over HTTP: worker peak RSS {baseline / blobdata.MIB:.0f} MiB before, "
          f"{after_upload / blobdata.MIB:.0f} after the upload, {after_download / blobdata.MIB:.0f} after the download")
    assert after_download - baseline < ALLOWED_GROWTH
    assert requests.delete(f"{server.url}/buckets/bucket1/big", auth=AUTH, timeout=30).status_code == 204


def test_uploads_with_a_content_length_and_a_form_over_http(start_server, tmp_path):
    server = start_server(tmp_path / "store")
    body = blobdata.Generated(5 * blobdata.MIB)
    put = requests.put(f"{server.url}/buckets/bucket2/sized", data=body, auth=AUTH, timeout=30)  # has a length
    assert put.status_code == 200
    assert _download(f"{server.url}/buckets/bucket2/sized/content") == (5 * blobdata.MIB, body.digest.hexdigest())
    form = requests.post(f"{server.url}/buckets/bucket2", auth=AUTH, timeout=30,
                         data={"blob_id": "formed", "meta_name1": "k", "meta_value1": "v"},
                         files={"blob_data": ("f.txt", b"form content", "text/plain")})
    assert form.status_code == 201 and form.headers["Location"].endswith("/api/buckets/bucket2/formed")
    head = requests.head(f"{server.url}/buckets/bucket2/formed", auth=AUTH, timeout=10)
    assert head.status_code == 204 and head.headers["X-Deltacloud-Blobmeta-k"] == "v"


def _upload(server: ServerProcess, bucket: str, blob: str, data: bytes, via_form: bool) -> str:
    digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if via_form:
        response = requests.post(f"{server.url}/buckets/{bucket}", auth=AUTH, timeout=60,
                                 data={"blob_id": blob, "meta_name1": "DIGEST", "meta_value1": digest},
                                 files={"blob_data": (blob, data, "application/x-race")})
        assert response.status_code == 201, response.text
    else:
        response = requests.put(f"{server.url}/buckets/{bucket}/{blob}", data=data, auth=AUTH, timeout=60,
                                headers={"Content-Type": "application/x-race", "X-Deltacloud-Blobmeta-Digest": digest})
        assert response.status_code == 200, response.text
    return digest


def test_two_servers_fill_one_bucket_at_once(start_server, tmp_path):
    shared = tmp_path / "shared"
    servers = [start_server(shared), start_server(shared)]
    assert requests.post(f"{servers[0].url}/buckets", params={"name": "race"}, auth=AUTH).status_code == 201
    rng = random.Random(7)
    payloads = {f"u{i}": rng.randbytes(rng.randrange(0, 300_000)) for i in range(60)}
    overwrites = [(f"s{k % 3}", rng.randbytes(rng.randrange(1, 200_000))) for k in range(24)]

    def unique(i: int) -> tuple[str, str]:
        name = f"u{i}"
        digest = _upload(servers[i % 2], "race", name, payloads[name], via_form=i % 3 == 0)
        if i % 10 == 0:  # uploaded by one server, deleted through the other
            assert requests.delete(f"{servers[(i + 1) % 2].url}/buckets/race/{name}", auth=AUTH).status_code == 204
        return name, digest

    def shared_blob(k: int) -> tuple[str, str]:
        name, data = overwrites[k]
        return name, _upload(servers[k % 2], "race", name, data, via_form=k % 4 == 0)

    with ThreadPoolExecutor(max_workers=8) as pool:
        jobs = [pool.submit(unique, i) for i in range(60)] + [pool.submit(shared_blob, k) for k in range(24)]
        results = [job.result() for job in jobs]

    expected = {name: digest for name, digest in results[:60] if int(name[1:]) % 10}
    shared_digests: dict[str, set[str]] = {}
    for name, digest in results[60:]:
        shared_digests.setdefault(name, set()).add(digest)
    listings = [requests.get(f"{s.url}/buckets/race", params={"format": "json"}, auth=AUTH).json()["bucket"]
                for s in servers]
    assert [b["id"] for b in listings[0]["blob_list"]] == [b["id"] for b in listings[1]["blob_list"]]
    names = {b["id"] for b in listings[0]["blob_list"]}
    assert names == set(expected) | set(shared_digests)
    assert listings[0]["size"] == listings[1]["size"] == len(names)

    for index, name in enumerate(sorted(names)):
        server = servers[index % 2]
        doc = requests.get(f"{server.url}/buckets/race/{name}", params={"format": "json"}, auth=AUTH).json()["blob"]
        stored_digest = doc["user_metadata"]["DIGEST"]
        size, digest = _download(f"{server.url}/buckets/race/{name}/content")
        assert digest == stored_digest and size == doc["content_length"], name  # content and metadata match
        if name in expected:
            assert digest == expected[name]
        else:
            assert digest in shared_digests[name]

    assert len(_blob_files(shared)) == len(names)  # one file per blob: replaced and deleted versions are gone
    assert not list((shared / "blobs" / "incoming").glob("*"))
    refused = requests.delete(f"{servers[1].url}/buckets/race", auth=AUTH)
    assert refused.status_code == 409
