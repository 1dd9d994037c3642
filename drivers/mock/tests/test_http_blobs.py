"""Buckets and blobs of the mock through the HTTP API (falcon.testing): every operation, status and format."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import defusedxml.ElementTree as ET
import falcon.testing
import pytest
import requests
import yaml

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app

RECORDINGS = Path(__file__).parent / "recordings"


def _recorded(cassette: str, method: str, path: str):
    """The recorded response body of the original server to ``method path`` (path with its query string)."""
    for interaction in yaml.safe_load((RECORDINGS / cassette).read_text())["http_interactions"]:
        request = interaction["request"]
        if request["method"] == method and request["uri"].split("3001", 1)[1] == path:
            return ET.fromstring(interaction["response"]["body"]["string"])
    raise LookupError(path)


def _shape(element) -> tuple:
    """Tag, attribute names and children's shapes, ignoring text and child order."""
    return (element.tag, tuple(sorted(element.attrib)), tuple(sorted(_shape(child) for child in element)))


def _xml(response):
    assert response.headers["content-type"] == "application/xml", response.text
    return ET.fromstring(response.content)


def _message(response) -> str:
    return _xml(response).findtext("message")


def _form(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart body as requests builds it (fields first, then files)."""
    prepared = requests.Request("POST", "http://x/", data=fields, files=files).prepare()
    return prepared.body, prepared.headers["Content-Type"]


@pytest.fixture
def h(mock_auth):
    """Headers: mock credentials plus extra ones."""
    return lambda **extra: {**mock_auth, **{k.replace("_", "-"): v for k, v in extra.items()}}


# -- buckets ---------------------------------------------------------------------------------------

def test_bucket_listing_and_show_match_the_original(api, h):
    ours = _xml(api.simulate_get("/api/buckets", headers=h()))
    recorded = _recorded("test_0001_supports_buckets.yml", "get", "/api/buckets")
    assert _shape(ours) == _shape(recorded)
    assert [(b.get("id"), b.findtext("size"), sorted(x.get("id") for x in b.findall("blob"))) for b in ours] == [
        (b.get("id"), b.findtext("size"), sorted(x.get("id") for x in b.findall("blob"))) for b in recorded]
    one = _xml(api.simulate_get("/api/buckets/bucket1", headers=h()))
    assert _shape(one) == _shape(_recorded("test_0001_supports_blobs.yml", "get", "/api/buckets/bucket1"))
    assert one.find("blob").get("href").endswith("/api/buckets/bucket1/blob1")
    filtered = _xml(api.simulate_get("/api/buckets", params={"id": "bucket2"}, headers=h()))
    assert [b.get("id") for b in filtered] == ["bucket2"]


def test_bucket_json_and_html(api, h):
    listing = api.simulate_get("/api/buckets", params={"format": "json"}, headers=h()).json["buckets"]
    assert [(b["id"], b["size"], [x["id"] for x in b["blob_list"]]) for b in listing] == [
        ("bucket1", 3, ["blob1", "blob2", "blob3"]), ("bucket2", 2, ["blob4", "blob5"])]
    one = api.simulate_get("/api/buckets/bucket1", headers=h(Accept="application/json")).json["bucket"]
    assert [a["rel"] for a in one["actions"]] == ["create_blob", "destroy"]
    page = api.simulate_get("/api/buckets/bucket1", headers=h(Accept="text/html")).text
    assert 'enctype="multipart/form-data"' in page
    assert 'name="blob_data" type="file" required' in page
    assert page.index('name="meta_value"') < page.index('name="blob_data"')  # fields before the file
    listing_page = api.simulate_get("/api/buckets", headers=h(Accept="text/html")).text
    assert 'name="location"' in listing_page  # the bucket_location feature's field in the create form


def test_bucket_create_and_destroy(api, h):
    r = api.simulate_post("/api/buckets", params={"name": "foo123"}, headers=h())
    assert r.status_code == 201 and r.headers["location"].endswith("/api/buckets/foo123")
    recorded = _recorded("test_0004_support_create_bucket.yml", "post", "/api/buckets?name=foo123")
    assert _shape(_xml(r)) == _shape(recorded)
    assert _xml(r).findtext("size") == "0"
    assert api.simulate_post("/api/buckets", params={"name": "foo123"}, headers=h()).status_code == 409
    assert api.simulate_delete("/api/buckets/foo123", headers=h()).status_code == 204
    assert api.simulate_get("/api/buckets/foo123", headers=h()).status_code == 404
    assert api.simulate_delete("/api/buckets/foo123", headers=h()).status_code == 404


def test_bucket_location_feature_with_both_spellings(api, h):
    eu = api.simulate_post("/api/buckets", body="name=b-eu&location=eu",
                           headers=h(Content_Type="application/x-www-form-urlencoded"))
    assert eu.status_code == 201 and _xml(eu).findtext("location") == "eu"
    us = api.simulate_post("/api/buckets", params={"name": "b-us", "bucket_location": "us"}, headers=h())
    assert us.status_code == 201 and _xml(us).findtext("location") == "us"
    bad = api.simulate_post("/api/buckets", params={"name": "b-x", "location": "mars"}, headers=h())
    assert bad.status_code == 400 and "'location'" in _message(bad)
    assert api.simulate_post("/api/buckets", headers=h()).status_code == 400  # name is required


def test_a_bucket_with_blobs_cannot_be_destroyed(api, h):
    r = api.simulate_delete("/api/buckets/bucket2", headers=h())
    assert r.status_code == 409 and "not empty" in _message(r)
    html_delete = api.simulate_post("/api/buckets/bucket2", body="_method=delete",
                                    headers=h(Content_Type="application/x-www-form-urlencoded"))
    assert html_delete.status_code == 409
    for blob in ("blob4", "blob5"):
        assert api.simulate_delete(f"/api/buckets/bucket2/{blob}", headers=h()).status_code == 204
    assert api.simulate_delete("/api/buckets/bucket2", headers=h()).status_code == 204


# -- blobs -----------------------------------------------------------------------------------------

def test_blob_show_matches_the_original(api, h):
    ours = _xml(api.simulate_get("/api/buckets/bucket1/blob1", headers=h()))
    recorded = _recorded("test_0001_supports_blobs.yml", "get", "/api/buckets/bucket1/blob1")
    assert _shape(ours) == _shape(recorded)
    for tag in ("bucket", "content_length", "content_type"):
        assert ours.findtext(tag) == recorded.findtext(tag)
    assert ours.find("user_metadata/entry").get("key") == "SOMENEWKEY"
    assert ours.findtext("user_metadata/entry") == "NEWVALUE"
    assert ours.find("content").get("href").endswith("/api/buckets/bucket1/blob1/content")
    assert ours.find("content").get("rel") == "blob_content"
    missing = api.simulate_get("/api/buckets/bucket1/foo", headers=h())
    assert missing.status_code == 404 and _xml(missing).get("status") == "404"
    doc = api.simulate_get("/api/buckets/bucket1/blob2", params={"format": "json"}, headers=h()).json["blob"]
    assert (doc["content_length"], doc["user_metadata"], doc["bucket"]["id"]) == (56, {"VERSION": "1.2"}, "bucket1")
    assert api.simulate_get("/api/buckets/bucket1/blob2", headers=h(Accept="text/html")).text.count("<h1>blob blob2")


def test_create_blob_with_query_parameters_as_the_original_clients_did(api, h):
    path = "/api/buckets/bucket1?meta_name1=key&meta_value1=value&meta_params=1&blob_id=fooblob123&blob_data=content"
    r = api.simulate_post(path.split("?")[0], query_string=path.split("?")[1], headers=h())
    assert r.status_code == 201 and r.headers["location"].endswith("/api/buckets/bucket1/fooblob123")
    recorded = _recorded("test_0004_support_create_blob_and_destroy_blob_with_meta_params.yml", "post", path)
    assert _shape(_xml(r)) == _shape(recorded)
    for tag in ("content_length", "content_type", "user_metadata/entry"):
        assert _xml(r).findtext(tag) == recorded.findtext(tag)
    assert api.simulate_get("/api/buckets/bucket1/fooblob123/content", headers=h()).content == b"content"
    assert api.simulate_delete("/api/buckets/bucket1/fooblob123", headers=h()).status_code == 204
    assert api.simulate_get("/api/buckets/bucket1/fooblob123", headers=h()).status_code == 404


def test_create_blob_from_a_urlencoded_or_json_body(api, h):
    form = api.simulate_post("/api/buckets/bucket1", body="blob_id=f1&blob_data=hello&meta_name=k&meta_value=v",
                             headers=h(Content_Type="application/x-www-form-urlencoded"))
    assert form.status_code == 201 and _xml(form).findtext("user_metadata/entry") == "v"
    json = api.simulate_post("/api/buckets/bucket1", json={"blob_id": "f2", "blob_data": "hi"}, headers=h())
    assert json.status_code == 201
    assert api.simulate_get("/api/buckets/bucket1/f2/content", headers=h()).content == b"hi"


def test_create_blob_with_a_multipart_form(api, h):
    body, content_type = _form({"blob_id": "up", "meta_name1": "a", "meta_value1": "1", "commit": "create_blob"},
                               {"blob_data": ("x.bin", b"\x00\xffbinary\r\n--", "application/x-thing")})
    r = api.simulate_post("/api/buckets/bucket1", body=body, headers=h(Content_Type=content_type))
    assert r.status_code == 201 and "warning" not in r.headers
    assert r.headers["location"].endswith("/api/buckets/bucket1/up")
    doc = api.simulate_get("/api/buckets/bucket1/up", params={"format": "json"}, headers=h()).json["blob"]
    assert (doc["content_type"], doc["content_length"], doc["user_metadata"]) == ("application/x-thing", 12, {"a": "1"})
    assert api.simulate_get("/api/buckets/bucket1/up/content", headers=h()).content == b"\x00\xffbinary\r\n--"


def _multipart(parts: list[tuple[str, str | None, bytes]], complete: bool = True) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--B\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return body + b"--B--\r\n" if complete else body[:-2]  # cut short: the last part never ends


@pytest.mark.parametrize("order", ["meta after file", "everything after file", "file between"])
def test_multipart_fields_in_any_order(api, h, order):
    """Form encoders order fields as they like: metadata (even blob_id) after the file is read too."""
    file_part = ("blob_data", "f.txt", b"spooled\x00bytes")
    meta = [("meta_params", None, b"2"), ("meta_name1", None, b"colour"), ("meta_value1", None, b"red"),
            ("meta_name2", None, b"size"), ("meta_value2", None, b"XL")]
    blob_id = ("blob_id", None, f"any-{order.split()[0]}".encode())
    parts = {"meta after file": [blob_id, file_part, *meta], "everything after file": [file_part, blob_id, *meta],
             "file between": [meta[1], blob_id, file_part, *meta[2:], meta[0]]}[order]
    r = api.simulate_post("/api/buckets/bucket1", body=_multipart(parts),
                          headers=h(Content_Type="multipart/form-data; boundary=B"))
    assert r.status_code == 201, r.text
    path = urlsplit(r.headers["location"]).path
    doc = api.simulate_get(path, params={"format": "json"}, headers=h()).json["blob"]
    assert doc["user_metadata"] == {"colour": "red", "size": "XL"} and doc["content_length"] == 13
    assert api.simulate_get(path + "/content", headers=h()).content == b"spooled\x00bytes"


@pytest.mark.parametrize(("parts", "complete", "message"), [
    ([("blob_id", None, b"twice"), ("blob_data", "f", b"A"), ("blob_data", "g", b"B")], True, "given twice"),
    ([("blob_data", "f", b"DATA")], True, "Required parameter 'blob_id' is missing"),
    ([("blob_id", None, b"late3"), ("blob_data", "f", b"DA")], False, "could not be read"),  # cut short
    ([("blob_id", None, b"a/b"), ("blob_data", "f", b"DATA")], True, "'blob_id'"),
    ([("blob_id", None, b"late4"), ("meta_name1", None, b"bad key"), ("blob_data", "f", b"x")], True, "meta_name1"),
    ([("blob_id", None, b"late5"), ("other", "f", b"x")], True, "Required parameter 'blob_data' is missing"),
    ([("blob_id", None, b"\xff"), ("blob_data", "f", b"x")], True, "not UTF-8"),
])
def test_bad_multipart_forms_are_400_and_store_nothing(api, h, storage, parts, complete, message):
    body = _multipart(parts, complete)
    r = api.simulate_post("/api/buckets/bucket1", body=body, headers=h(Content_Type="multipart/form-data; boundary=B"))
    assert r.status_code == 400 and message in _message(r)
    assert [b.get("id") for b in _xml(api.simulate_get("/api/buckets/bucket1", headers=h())).findall("blob")] == [
        "blob1", "blob2", "blob3"]
    assert not list((storage / "blobs" / "incoming").glob("*"))


def test_put_head_post_metadata_content_and_delete(api, h):
    put = api.simulate_put("/api/buckets/bucket1/raw", body=b"raw bytes\x00",
                           headers=h(Content_Type="application/x-raw", X_Deltacloud_Blobmeta_Color="red",
                                     X_Deltacloud_Blobmeta_Size="XL"))
    assert put.status_code == 200 and _xml(put).get("id") == "raw"
    assert {e.get("key"): e.text for e in _xml(put).find("user_metadata")} == {"COLOR": "red", "SIZE": "XL"}
    head = api.simulate_head("/api/buckets/bucket1/raw", headers=h())
    assert head.status_code == 204 and head.content == b""
    assert (head.headers["x-deltacloud-blobmeta-color"], head.headers["x-deltacloud-blobmeta-size"]) == ("red", "XL")
    post = api.simulate_post("/api/buckets/bucket1/raw", headers=h(X_Deltacloud_Blobmeta_Shape="round"))
    assert post.status_code == 204 and post.headers["x-deltacloud-blobmeta-shape"] == "round"
    head = api.simulate_head("/api/buckets/bucket1/raw", headers=h())
    assert "x-deltacloud-blobmeta-color" not in head.headers and head.headers["x-deltacloud-blobmeta-shape"] == "round"
    content = api.simulate_get("/api/buckets/bucket1/raw/content", headers=h(Accept="image/png"))
    assert content.status_code == 200 and content.content == b"raw bytes\x00"
    assert content.headers["content-type"] == "application/x-raw" and content.headers["content-length"] == "10"
    assert content.headers["content-disposition"] == 'attachment; filename="raw"'
    assert "etag" not in content.headers  # streamed: never read whole to hash it
    as_json = api.simulate_get("/api/buckets/bucket1/raw/content", params={"format": "json"}, headers=h())
    assert as_json.content == b"raw bytes\x00" and as_json.headers["content-type"] == "application/x-raw"
    head_content = api.simulate_head("/api/buckets/bucket1/raw/content", headers=h())
    assert head_content.status_code == 200 and head_content.content == b""
    assert head_content.headers["content-length"] == "10"
    again = api.simulate_put("/api/buckets/bucket1/raw", body=b"v2", headers=h())
    assert again.status_code == 200 and _xml(again).findtext("content_type") == "application/octet-stream"
    assert api.simulate_get("/api/buckets/bucket1/raw/content", headers=h()).content == b"v2"
    assert api.simulate_delete("/api/buckets/bucket1/raw", headers=h()).status_code == 204
    for method in ("GET", "HEAD", "DELETE"):
        assert api.simulate_request(method, "/api/buckets/bucket1/raw", headers=h()).status_code == 404
    assert api.simulate_get("/api/buckets/bucket1/raw/content", headers=h()).status_code == 404


def test_html_forms_delete_a_blob(api, h):
    r = api.simulate_post("/api/buckets/bucket1/blob3", body="_method=delete&commit=destroy_blob",
                          headers=h(Content_Type="application/x-www-form-urlencoded"))
    assert r.status_code == 204
    assert api.simulate_get("/api/buckets/bucket1/blob3", headers=h()).status_code == 404


def test_bad_requests_are_4xx_documents(api, h):
    cases = [
        (api.simulate_put("/api/buckets/nobucket/x", body=b"x", headers=h()), 404, "Bucket 'nobucket' not found"),
        (api.simulate_put("/api/buckets/bucket1/%2E%2E", body=b"x", headers=h()), 400, "'blob_id'"),
        (api.simulate_get("/api/buckets/bucket1/%2E%2E", headers=h()), 400, "'blob_id'"),
        (api.simulate_put("/api/buckets/bucket1/x", body=b"x", headers=h(X_Deltacloud_Blobmeta_K="caf\u00e9")), 400,
         "X-DELTACLOUD-BLOBMETA-K"),
        (api.simulate_put("/api/buckets/bucket1/x", body=b"x"), 401, "Authentication required"),
        (api.simulate_put("/api/buckets/bucket1/x", body=b"x", headers=h(Content_Type="nonsense")), 400,
         "'Content-Type'"),
        (api.simulate_post("/api/buckets/bucket1", body="x", headers=h(Content_Type="text/plain")), 415, "text/plain"),
    ]
    for response, status, text in cases:
        assert response.status_code == status, (response.status_code, response.text)
        assert text in _message(response)
    wrong_method = api.simulate_put("/api/buckets/bucket1/x/content", body=b"x", headers=h())
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "GET, HEAD, OPTIONS"
    assert _xml(wrong_method).get("status") == "405"


def test_options_and_warnings(api, h):
    assert api.simulate_options("/api/buckets/bucket1", headers=h()).headers["allow"] == \
        "DELETE, GET, HEAD, OPTIONS, POST"
    assert api.simulate_options("/api/buckets/bucket1/blob1", headers=h()).headers["allow"] == \
        "DELETE, GET, HEAD, OPTIONS, POST, PUT"
    assert "name:string:required" in api.simulate_options("/api/buckets/create", headers=h()).headers["allow"]
    put = api.simulate_put("/api/buckets/bucket1/w", params={"colour": "red"}, body=b"x", headers=h())
    assert put.status_code == 200 and "colour" in put.headers["warning"]


def test_only_blob_uploads_bypass_the_body_limit(storage, h):
    small = falcon.testing.TestClient(create_app(ServerConfig(driver="mock", max_body_bytes=1024)))
    big = b"x" * 100_000
    assert small.simulate_put("/api/buckets/bucket1/big", body=big, headers=h()).status_code == 200
    body, content_type = _form({"blob_id": "big2"}, {"blob_data": ("b", big)})
    form = small.simulate_post("/api/buckets/bucket1", body=body, headers=h(Content_Type=content_type))
    assert form.status_code == 201 and _xml(form).findtext("content_length") == "100000"
    too_big = small.simulate_post("/api/buckets/bucket1", body="blob_id=b3&blob_data=" + "x" * 2000,
                                  headers=h(Content_Type="application/x-www-form-urlencoded"))
    assert too_big.status_code == 413
    fields = {"blob_id": "b4", "meta_name1": "k", "meta_value1": "v" * 1000, "meta_name2": "l", "meta_value2": "w" * 99}
    body, content_type = _form(fields, {"blob_data": ("b", b"1")})  # 1,104 bytes of fields: over the limit
    fields_too_big = small.simulate_post("/api/buckets/bucket1", body=body, headers=h(Content_Type=content_type))
    assert fields_too_big.status_code == 413
