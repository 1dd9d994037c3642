"""Buckets and blobs in the core, with drivers other than the mock: what the core guarantees by itself."""

import shutil
import sys
from pathlib import Path

import defusedxml.ElementTree as ET
import falcon.testing
import pytest

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.testing import installed_entry_point

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def shelf(tmp_path, auth):
    """A client of the shelf driver (in-memory buckets, a plain driver's habits), with bucket ``b`` holding ``x``."""
    for name in ("tiny_driver.py", "shelf_driver.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    with installed_entry_point(tmp_path, "shelf", "shelf_driver:ShelfDriver"):
        client = falcon.testing.TestClient(create_app(ServerConfig(driver="shelf")))
        assert client.simulate_post("/api/buckets", params={"name": "b"}, headers=auth).status_code == 201
        put = client.simulate_put("/api/buckets/b/x", body=b"0123456789", headers={**auth, "Content-Type": "text/csv"})
        assert put.status_code == 200
        yield client
    sys.modules.pop("tiny_driver", None)


def test_a_driver_without_buckets_has_no_bucket_routes(client, auth):
    assert client.simulate_get("/api/buckets", headers=auth).status_code == 404
    assert client.simulate_put("/api/buckets/b/x", body=b"x", headers=auth).status_code == 404
    assert client.simulate_get("/api/buckets/b/x/content", headers=auth).status_code == 404
    assert not [p for p in client.simulate_get("/api/openapi.json").json["paths"] if p.startswith("/buckets")]
    rels = [link.get("rel") for link in ET.fromstring(client.simulate_get("/api", headers=auth).content)]
    assert "buckets" not in rels


def test_a_lazy_driver_still_answers_404_before_streaming(shelf, auth):
    r = shelf.simulate_get("/api/buckets/b/nothing/content", headers=auth)
    assert r.status_code == 404 and ET.fromstring(r.content).get("status") == "404"


def test_content_of_a_plain_iterator_gets_its_headers_from_blob(shelf, auth):
    r = shelf.simulate_get("/api/buckets/b/x/content", headers={**auth, "Accept": "image/png"})
    assert r.status_code == 200 and r.content == b"0123456789"
    assert r.headers["content-type"] == "text/csv" and r.headers["content-length"] == "10"
    head = shelf.simulate_head("/api/buckets/b/x/content", headers=auth)
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "10"


def test_an_unproducible_accept_is_still_406_elsewhere(shelf, auth):
    assert shelf.simulate_get("/api/buckets", headers={**auth, "Accept": "image/png"}).status_code == 406
    missing = shelf.simulate_get("/api/buckets/b/gone/content", headers={**auth, "Accept": "image/png"})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/xml"


def test_a_short_body_is_400_even_when_the_driver_calls_it_a_backend_error(shelf, auth):
    r = shelf.simulate_put("/api/buckets/b/short", body=b"abc", headers={**auth, "Content-Length": "10"})
    assert r.status_code == 400
    assert "3 of 10" in ET.fromstring(r.content).findtext("message")
    assert shelf.simulate_get("/api/buckets/b/short", headers=auth).status_code == 404


def test_operations_the_driver_lacks_are_405_with_allow_and_absent_from_the_docs(shelf, auth):
    r = shelf.simulate_post("/api/buckets/b/x", headers={**auth, "X-Deltacloud-Blobmeta-K": "v"})
    assert r.status_code == 405
    assert r.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    assert shelf.simulate_options("/api/buckets/b/x", headers=auth).headers["allow"] == r.headers["allow"]
    paths = shelf.simulate_get("/api/openapi.json").json["paths"]
    assert set(paths["/buckets/{id}/{blob_id}"]) == {"get", "head", "put", "delete"}


def test_openapi_shows_headers_and_streamed_bodies(shelf):
    paths = shelf.simulate_get("/api/openapi.json").json["paths"]
    put = paths["/buckets/{id}/{blob_id}"]["put"]
    assert put["requestBody"]["content"] == {"application/octet-stream": {"schema": {"type": "string",
                                                                                      "format": "binary"}}}
    # A header family is no header name: described, not declared (schemathesis sent "X-Deltacloud-Blobmeta-<key>")
    assert "X-Deltacloud-Blobmeta-<key>" in put["description"]
    assert all("<" not in p["name"] for p in put["parameters"])
    form = paths["/buckets/{id}"]["post"]["requestBody"]["content"]
    assert next(iter(form)) == "multipart/form-data"
    assert form["multipart/form-data"]["schema"]["properties"]["blob_data"]["format"] == "binary"
    assert form["multipart/form-data"]["schema"]["required"] == ["blob_id", "blob_data"]
    assert "/buckets/{id}/{blob_id}/content" in paths


def test_bucket_names_that_cannot_be_urls_are_400(shelf, auth):
    r = shelf.simulate_post("/api/buckets", params={"name": "a/b"}, headers=auth)
    assert r.status_code == 400 and "'name'" in ET.fromstring(r.content).findtext("message")
