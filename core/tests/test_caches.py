"""Every cache is correct: a change is in the very next answer (real deltacloudd -i mock over HTTP).

The listing reuses rendered fragments of unchanged objects (``deltacloud.render.fragments``);
these tests change instances between listings and look for the change in the next one, in XML
and JSON, and check the answers are the same bytes with the cache turned off.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from xml.etree import ElementTree

import pytest

from deltacloud.testing import Deltaclouds, ServerProcess

AUTH = {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}


def _call(url: str, method: str = "GET", data: bytes | None = None, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers={**AUTH, **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _states(server: ServerProcess) -> tuple[dict[str, str], dict[str, str]]:
    """Instance states by id, from the XML and from the JSON listing."""
    status, _, body = _call(f"{server.url}/instances")
    assert status == 200
    xml = {e.get("id"): e.findtext("state") for e in ElementTree.fromstring(body).findall("instance")}
    status, _, body = _call(f"{server.url}/instances", Accept="application/json")
    assert status == 200
    from_json = {i["id"]: i["state"] for i in json.loads(body)["instances"]}
    return xml, from_json


@pytest.fixture
def server(deltacloudd: Deltaclouds) -> ServerProcess:
    return deltacloudd.start("--log", "off")


def test_changes_are_in_the_next_listing(server: ServerProcess) -> None:
    _states(server)
    _states(server)  # the fragments are kept now
    status, headers, _ = _call(f"{server.url}/instances", "POST", b"image_id=img1&hwp_id=m1-small")
    assert status == 201
    new = headers["location"].rsplit("/", 1)[1]
    xml, from_json = _states(server)
    assert xml[new] == from_json[new] == "RUNNING"
    status, _, _ = _call(f"{server.url}/instances/{new}/stop", "POST")
    assert status == 202
    xml, from_json = _states(server)
    assert xml[new] == from_json[new] == "STOPPED"
    status, _, _ = _call(f"{server.url}/instances/{new}", "DELETE")
    assert status == 204
    xml, from_json = _states(server)
    assert new not in xml and new not in from_json


def test_the_etag_follows_the_content(server: ServerProcess) -> None:
    _, headers, body = _call(f"{server.url}/instances")
    etag = headers["etag"]
    assert _call(f"{server.url}/instances", **{"If-None-Match": etag})[0] == 304
    status, created, _ = _call(f"{server.url}/instances", "POST", b"image_id=img1&hwp_id=m1-small")
    assert status == 201
    status, headers, changed = _call(f"{server.url}/instances", **{"If-None-Match": etag})
    assert status == 200 and headers["etag"] != etag and changed != body
    assert created["location"].rsplit("/", 1)[1].encode() in changed


def test_cached_and_uncached_answers_are_the_same_bytes(deltacloudd: Deltaclouds) -> None:
    cached = deltacloudd.start("--log", "off")
    store = str(deltacloudd.workdir / "store0")
    uncached = deltacloudd.start("--log", "off", "--mock-storage", store, env={"DELTACLOUD_CACHE": "off"})
    for path in ("/instances", "/images", "/hardware_profiles", "/storage_volumes", "/keys"):
        for accept in ("application/xml", "application/json"):
            first = _call(cached.url + path, Accept=accept)
            again = _call(cached.url + path, Accept=accept)
            plain = _call(uncached.url + path, Accept=accept)
            assert first[0] == again[0] == plain[0] == 200
            mine = again[2].replace(cached.url.encode(), b"BASE")
            theirs = plain[2].replace(uncached.url.encode(), b"BASE")
            assert mine == theirs and first[2] == again[2]


def test_a_large_listing_is_streamed_with_its_etag_and_304(server: ServerProcess) -> None:
    for _ in range(10):  # 1,000 instances: over a megabyte of XML, so the listing is streamed
        status, _, _ = _call(f"{server.url}/instances", "POST", b"image_id=img1&hwp_id=m1-small&instance_count=100")
        assert status == 201
    status, headers, body = _call(f"{server.url}/instances")
    assert status == 200 and len(body) > 1024 * 1024 and int(headers["content-length"]) == len(body)
    again = _call(f"{server.url}/instances")
    assert again[2] == body and again[1]["etag"] == headers["etag"]  # the same bytes, the same tag
    assert len(ElementTree.fromstring(body).findall("instance")) >= 1000
    assert _call(f"{server.url}/instances", **{"If-None-Match": headers["etag"]})[0] == 304
    status, _, from_json = _call(f"{server.url}/instances", Accept="application/json")
    assert status == 200 and len(json.loads(from_json)["instances"]) >= 1000
    last = ElementTree.fromstring(body).findall("instance")[-1]
    assert last.findtext("state") == "RUNNING"
    assert _call(f"{server.url}/instances/{last.get('id')}/stop", "POST")[0] == 202
    status, changed, after = _call(f"{server.url}/instances", **{"If-None-Match": headers["etag"]})
    assert status == 200 and changed["etag"] != headers["etag"]
    states = {e.get("id"): e.findtext("state") for e in ElementTree.fromstring(after).findall("instance")}
    assert states[last.get("id")] == "STOPPED"


def test_an_automatic_transition_is_in_the_next_listing_and_breaks_the_304(deltacloudd: Deltaclouds) -> None:
    """Nothing is written when the mock's clock passes a transition: the listing and its ETag still follow.

    The repeated listings are answered from the kept pieces (the same objects again); the moment
    the clock passes ``next_at`` the instance is another object, and the very next answer shows it.
    """
    from deltacloud_driver_mock.clock import FileClock

    clock = FileClock.create(deltacloudd.workdir / "clock")
    server = deltacloudd.start("--log", "off", "--driver-option", f"mock.clock={clock.path}", mock_delay="30")
    status, headers, _ = _call(f"{server.url}/instances", "POST", b"image_id=img1&hwp_id=m1-small")
    assert status == 201
    new = headers["location"].rsplit("/", 1)[1]
    for accept in ("application/xml", "application/json"):
        for _ in range(3):  # kept now, in every worker that answered
            status, pending, _ = _call(f"{server.url}/instances", Accept=accept)
        assert status == 200
        assert _call(f"{server.url}/instances", Accept=accept, **{"If-None-Match": pending["etag"]})[0] == 304
    xml, from_json = _states(server)
    assert xml[new] == from_json[new] == "PENDING"
    _, xml_headers, _ = _call(f"{server.url}/instances")
    _, json_headers, _ = _call(f"{server.url}/instances", Accept="application/json")
    clock.advance(30)
    xml, from_json = _states(server)
    assert xml[new] == from_json[new] == "RUNNING"
    status, changed, _ = _call(f"{server.url}/instances", **{"If-None-Match": xml_headers["etag"]})
    assert status == 200 and changed["etag"] != xml_headers["etag"]
    status, changed, _ = _call(f"{server.url}/instances", Accept="application/json",
                               **{"If-None-Match": json_headers["etag"]})
    assert status == 200 and changed["etag"] != json_headers["etag"]


def test_the_same_objects_give_the_same_fragments_and_a_changed_one_shows() -> None:
    """In process: the identity fast path returns the kept list only for the very same objects."""
    from dataclasses import dataclass, replace

    from deltacloud.render.fragments import FragmentCache

    @dataclass(frozen=True)
    class Thing:
        id: str
        state: str

    @dataclass(frozen=True)
    class Context:
        base: str

    rendered: list[str] = []

    def write(item: Thing, ctx: Context) -> str:
        rendered.append(item.id)
        return f"<{item.id} {item.state} {ctx.base}>"

    cache = FragmentCache(1024 * 1024)
    ctx = Context("http://h/api")
    things = [Thing("a", "RUNNING"), Thing("b", "STOPPED")]
    first = cache.render(things, write, str.encode, "xml", ctx, "scope")
    assert list(first) == [b"<a RUNNING http://h/api>", b"<b STOPPED http://h/api>"] and rendered == ["a", "b"]
    assert cache.render(list(things), write, str.encode, "xml", ctx, "scope") is first  # the very objects
    equal = cache.render([replace(t) for t in things], write, str.encode, "xml", ctx, "scope")
    assert equal == first and rendered == ["a", "b"], "equal objects: their kept bytes, nothing rendered"
    changed = cache.render([things[0], replace(things[1], state="RUNNING")], write, str.encode, "xml", ctx, "scope")
    assert changed[1] == b"<b RUNNING http://h/api>" and changed[0] is first[0] and rendered == ["a", "b", "b"]
    assert cache.render(things[:1], write, str.encode, "xml", ctx, "scope") == [first[0]]  # fewer objects

    @dataclass(frozen=True)
    class Holder:  # holds a list: unhashable, so rendered every time, never returned by identity
        id: str
        tags: list[str]

    holder = Holder("h", ["x"])
    once = cache.render([holder], lambda item, ctx: ",".join(item.tags), str.encode, "xml", ctx, "other")
    holder.tags.append("y")
    twice = cache.render([holder], lambda item, ctx: ",".join(item.tags), str.encode, "xml", ctx, "other")
    assert once == [b"x"] and twice == [b"x,y"]
