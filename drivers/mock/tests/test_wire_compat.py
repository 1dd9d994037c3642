"""Replay of the original Deltacloud 1.1.3 server with its mock driver, against ours.

``recordings/deltacloud-1.1.3-mock-xml-and-json.yml`` holds 101 requests to the original server
(XML and JSON for every collection, single items, errors, creates, stop and start, docs) and its
answers. Each request is sent, in the recorded order, to a real ``deltacloudd -i mock`` on a
fresh store with transitions finishing at once (``DELTACLOUD_MOCK_DELAY=0``, as the original
mock behaved). Ours must answer with the same status, and every element, attribute and JSON key
the original sent must be in our answer (values aside: ids, hrefs and times differ by nature).

Where we differ on purpose (``design.md``, section 9), ``DECISIONS`` says so and what is checked
instead.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from defusedxml import ElementTree

from deltacloud.testing import Deltaclouds

_spec = importlib.util.spec_from_file_location("mock_wire_shapes", Path(__file__).with_name("wire_shapes.py"))
wire_shapes = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("mock_wire_shapes", wire_shapes)
_spec.loader.exec_module(wire_shapes)

RECORDING = Path(__file__).parent / "recordings" / "deltacloud-1.1.3-mock-xml-and-json.yml"
INTERACTIONS: list[dict[str, Any]] = yaml.safe_load(RECORDING.read_text())["http_interactions"]
#: Request headers replayed as recorded.
REPLAYED_HEADERS = ("Accept", "Authorization", "Content-Type")
#: Children of the XML error document we do not write: we never echo a backtrace or the request's parameters.
ERROR_ELEMENTS_LEFT_OUT = ("backtrace", "request")


@dataclass(frozen=True)
class Decision:
    """A deliberate difference from 1.1.3 (design.md section 9): the status we answer instead, and why."""

    status: int | None
    why: str


def decision(method: str, path: str, accept: str) -> Decision | None:
    """Where 1.1.3 and we differ on purpose for this request."""
    parts = path.strip("/").split("/")
    if method == "POST" and len(parts) == 4 and parts[1] == "instances" and parts[2] == "nope":
        return Decision(404, "an action on a missing instance is 404, not 403: it is not found")
    return None


@dataclass
class Answer:
    """What our server answered to one replayed request."""

    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    problems: list[str] = field(default_factory=list)


def _request(interaction: dict[str, Any]) -> tuple[str, str, dict[str, str], str]:
    request = interaction["request"]
    url = urlsplit(request["uri"])
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = {name: values[0] for name, values in request["headers"].items() if name in REPLAYED_HEADERS}
    return request["method"].upper(), path, headers, request["body"]["string"] or ""


def _label(index: int) -> str:
    method, path, headers, _ = _request(INTERACTIONS[index])
    accept = headers.get("Accept", "none").split("/")[-1]
    return f"{index:03d}-{method}-{path}-{accept}"


@pytest.fixture(scope="module")
def answers(deltacloudd_module: Deltaclouds) -> Iterator[list[Answer]]:
    """Every recorded request replayed in order against one fresh mock server."""
    server = deltacloudd_module.start()
    base = server.url.removesuffix("/api")
    replies: list[Answer] = []
    try:
        with requests.Session() as session:
            for interaction in INTERACTIONS:
                method, path, headers, body = _request(interaction)
                reply = session.request(method, base + path, headers=headers, data=body.encode() or None,
                                        timeout=30, allow_redirects=False)
                replies.append(Answer(reply.status_code, reply.headers, reply.content))
        yield replies
    finally:
        server.stop()


def _media(headers: Any) -> str:
    return (headers.get("content-type") or "").split(";")[0].strip().lower()


def _recorded_header(response: dict[str, Any], name: str) -> str | None:
    values = response["headers"].get(name)
    return values[0] if values else None


def check(interaction: dict[str, Any], ours: Answer) -> list[str]:
    """What our answer lacks of the recorded one."""
    method, path, headers, _ = _request(interaction)
    response = interaction["response"]
    expected = decision(method, path, headers.get("Accept", ""))
    status = response["status"]["code"] if expected is None or expected.status is None else expected.status
    if ours.status != status:
        why = f" ({expected.why})" if expected else ""
        return [f"status {ours.status}, expected {status}{why}: {ours.body[:300]!r}"]
    problems = []
    for name in ("location", "www-authenticate", "x-deltacloud-driver"):
        if _recorded_header(response, name) is not None and name not in ours.headers:
            problems.append(f"header {name} missing")
    for name in response["headers"]:
        if name.startswith("x-deltacloud-blobmeta-") and name not in ours.headers:
            problems.append(f"header {name} missing")
    if method == "OPTIONS" and "allow" not in ours.headers:
        problems.append("header allow missing")
    media = (_recorded_header(response, "content-type") or "").split(";")[0]
    text = response["body"]["string"]
    if media not in ("application/xml", "application/json") or not text or expected is not None:
        return problems  # 1.1 sent plain text or HTML here (we send a document or XML): the status is the contract
    if _media(ours.headers) != media:
        return [*problems, f"content type {_media(ours.headers)!r}, expected {media!r}"]
    if media == "application/json":
        return problems + wire_shapes.json_missing(json.loads(text), json.loads(ours.body))
    recorded, mine = ElementTree.fromstring(text.encode()), ElementTree.fromstring(ours.body)
    ignore = ERROR_ELEMENTS_LEFT_OUT if recorded.tag == "error" else ()
    return problems + wire_shapes.xml_missing(recorded, mine, ignore=ignore)


@pytest.mark.parametrize("index", range(len(INTERACTIONS)), ids=_label)
def test_answer_has_everything_the_original_sent(answers: list[Answer], index: int) -> None:
    problems = check(INTERACTIONS[index], answers[index])
    assert not problems, f"{_label(index)}:\n  " + "\n  ".join(problems[:40])


def test_the_recording_covers_both_formats_and_every_collection() -> None:
    """The replay is only as good as the recording: both formats, every collection of the original mock."""
    accepts = {_request(i)[2].get("Accept") for i in INTERACTIONS}
    assert {"application/xml", "application/json"} <= accepts
    paths = {urlsplit(i["request"]["uri"]).path.split("/")[2] for i in INTERACTIONS
             if urlsplit(i["request"]["uri"]).path.count("/") >= 2}
    assert {"realms", "hardware_profiles", "images", "instances", "keys", "storage_volumes", "storage_snapshots",
            "addresses", "buckets", "drivers", "networks", "subnets", "network_interfaces", "instance_states",
            "metrics", "docs"} <= paths


def test_the_comparison_finds_what_is_missing() -> None:
    """The checker itself: a missing key, a changed kind, a missing element and attribute are all reported."""
    assert wire_shapes.json_missing({"a": {"b": 1}, "c": [{"id": "x", "d": 2}]},
                                    {"a": {}, "c": [{"id": "x"}]}) == ["$.a.b: missing", "$.c[0].d: missing"]
    assert wire_shapes.json_missing({"p": {"cpu": "1"}}, {"p": {"cpu": {"value": "1"}}}) == [
        "$.p.cpu: object where 1.1 sent scalar"]
    assert wire_shapes.json_missing({"x": None}, {"x": [1]}) == []
    recorded = ElementTree.fromstring("<a id='1'><b rel='r' href='h'/><c/></a>")
    ours = ElementTree.fromstring("<a id='1'><b rel='r'/></a>")
    assert wire_shapes.xml_missing(recorded, ours) == ["/a/b/@href: missing", "/a/c[0]: missing"]
