"""The client against the original server, replayed: every recorded shape reads.

Each recorded request is made again through the client's public API, against a loopback server
that answers with the recorded response (``client_replay``). Successes must give models with the
recorded ids; errors must raise the class named for the recorded status, with the recorded message.
The recordings: the original 1.1.3 server (XML and JSON of every collection, errors, ``*/*``) and
the Ruby client's fixtures against 1.1.1 (``deltacloud-server/*.yml``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from client_replay import RECORDINGS, Interaction, load, serve
from defusedxml import ElementTree

from deltacloud_client import (
    AuthenticationError,
    Bucket,
    Client,
    DeltacloudError,
    HardwareProfile,
    Instance,
    Key,
    NotFoundError,
    NotSupportedError,
    ValidationError,
    entrypoint,
)
from deltacloud_client.errors import error_class
from deltacloud_client.models import Blob, Resource, model_class

ORIGINAL_113 = RECORDINGS / "deltacloud-server-1.1.3" / "mock-xml-and-json.yml"
FIXTURES_111 = sorted((RECORDINGS / "deltacloud-server").glob("*.yml"))


def client_for(base: str, item: Interaction) -> Client:
    """A client that sends what the recorded request sent: credentials, driver, provider, format."""
    accept = (item.headers.get("accept") or "").lower()
    query = dict(parse_qsl(urlsplit(item.uri).query))
    fmt = query.get("format") or ("json" if "json" in accept else "auto" if accept == "*/*" else "xml")
    user = ("mockuser", "mockpassword") if item.headers.get("authorization") else (None, None)
    return Client(base + "/api", user[0], user[1], item.headers.get("x-deltacloud-driver"),
                  item.headers.get("x-deltacloud-provider"), format=fmt)


def call(client: Client, item: Interaction) -> Any:
    """Make the recorded request again through the client's public API."""
    parts = urlsplit(item.uri)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    params = {**query, **dict(parse_qsl(item.body, keep_blank_values=True))}
    params.pop("format", None)
    segments = parts.path.split("/")[2:]  # after "/api"
    method = item.method.upper()
    base = client.url
    if not segments or segments == [""]:
        if segments == [""]:  # /api/ with a trailing slash
            response = client.transport.request("GET", base + "/")
            return entrypoint.from_xml(base, response.document)
        if "force_auth" in query:
            return client.valid_credentials()
        return client.discover()
    collection, rest = segments[0], segments[1:]
    if method in ("HEAD", "OPTIONS"):
        return client.transport.request(method, client.collection(collection).href + "".join("/" + r for r in rest))
    if not rest:
        if method == "GET":
            if collection == "instance_states":
                return client.instance_states()
            return client.list(collection, **params)
        return client.create(collection, **params)
    ident = rest[0]
    if collection == "buckets" and len(rest) >= 2:
        bucket = Bucket(client, {"id": ident, "href": client.item_url("buckets", ident)})
        if method == "DELETE":
            return Blob(client, {"id": rest[1], "href": bucket.blob_url(rest[1])}).destroy()
        return bucket.blob(rest[1])
    if collection == "buckets" and method == "POST":  # the form that creates a blob
        response = client.transport.request("POST", client.item_url("buckets", ident), data=params)
        return client.model_from(response, default="blobs")
    if method == "GET":
        return client.get(collection, ident)
    # An action or a destroy, through the link a representation of the resource would carry.
    action = rest[1] if len(rest) > 1 else "destroy"
    link = {"rel": action, "href": client.item_url(collection, ident) + (f"/{action}" if len(rest) > 1 else ""),
            "method": "delete" if method == "DELETE" else "post"}
    resource = model_class(collection)(client, {"id": ident, "actions": [link]})
    return resource.perform(action, **params)


def recorded_ids(item: Interaction) -> list[str]:
    """The ids in a recorded body, read without the client."""
    body = item.response_body.strip()
    if body.startswith(("{", "[")):
        document = json.loads(body)
        if isinstance(document, dict) and len(document) == 1:
            inner = next(iter(document.values()))
            if isinstance(inner, list):
                return [str(x["id"]) for x in inner]
            if isinstance(inner, dict) and "id" in inner:
                return [str(inner["id"])]
        if isinstance(document, dict) and "id" in document:
            return [str(document["id"])]
        if isinstance(document, dict):  # the original's drivers: {"mock": {...}}
            return list(document)
        return []
    root = ElementTree.fromstring(body)
    if root.get("id"):
        return [root.get("id")]
    return [child.get("id") for child in root if child.get("id")]


def recorded_message(item: Interaction) -> str:
    """The message of a recorded error, read without the client."""
    body = item.response_body.strip()
    if body.startswith("{"):
        return json.loads(body)["message"]
    if body.startswith("<?xml"):  # by pattern: some of the original's error documents are not well-formed
        match = re.search(r"<message><!\[CDATA\[(.*?)\]\]></message>", body, re.S)
        return match.group(1).strip() if match else ""
    return body


def check(client: Client, item: Interaction) -> None:
    """Replay one interaction and check what the client made of it."""
    segments = urlsplit(item.uri).path.split("/")[2:]
    collection = segments[0] if segments and segments[0] else None
    advertised = collection is None or client.supports(collection)
    if not advertised:
        with pytest.raises(NotSupportedError):
            call(client, item)
        return
    if "force_auth" in item.uri:
        assert call(client, item) is (item.status < 400)
        return
    if item.status >= 400:
        expected = error_class(item.status)
        if item.status == 403 and len(segments) == 3 and collection == "instances":
            expected = NotFoundError  # the original's 403 for an action on a missing instance
        with pytest.raises(expected) as raised:
            call(client, item)
        message = recorded_message(item)
        if message and not message.startswith("<"):
            assert raised.value.message == message
        assert raised.value.status == item.status
        return
    result = call(client, item)
    if collection is None and item.response_body.lstrip().startswith("<!DOCTYPE html"):
        # */* answered with HTML: the client asked again with ?format=xml and read the entry point.
        assert result.driver == "mock" and "instances" in result.collections
    elif collection is None:
        assert list(result.collections) == [link.get("rel") for link in _links(item)]
    elif collection == "instance_states":
        assert len(result.transitions) == item.response_body.count('"to":') + item.response_body.count("<transition")
    elif item.method.upper() in ("HEAD", "OPTIONS", "DELETE"):
        assert result is None or result.document is None
    else:
        got = [r.id for r in result] if isinstance(result, list) else [result.id]
        assert got == recorded_ids(item)
        assert all(isinstance(r, Resource) for r in (result if isinstance(result, list) else [result]))


def _links(item: Interaction) -> list[dict[str, str]]:
    body = item.response_body.strip()
    if body.startswith("{"):
        return json.loads(body)["api"]["links"]
    return [dict(link.attrib) for link in ElementTree.fromstring(body).findall("link")]


def replayable(item: Interaction) -> bool:
    """Everything but the HTML documentation pages (for people; their bodies were not kept)."""
    return "/api/docs" not in item.uri


def _ids(items: list[Interaction]) -> list[str]:
    return [f"{i.method}-{urlsplit(i.uri).path}-{i.headers.get('accept')}-{i.status}" for i in items]


ORIGINAL = [i for i in load(ORIGINAL_113) if replayable(i)]


@pytest.mark.parametrize("item", ORIGINAL, ids=_ids(ORIGINAL))
def test_every_recorded_answer_of_the_original_113_reads(item: Interaction) -> None:
    with serve(load(ORIGINAL_113)) as replay:
        check(client_for(replay.base, item), item)
        assert not replay.unmatched, replay.unmatched


def with_entry_point(items: list[Interaction]) -> list[Interaction]:
    """The cassette, plus the recorded mock entry point when it has none (the Ruby client cached it)."""
    if any(urlsplit(i.uri).path == "/api" for i in items):
        return items
    return items + [i for i in load(RECORDINGS / "deltacloud-server" / "test_0001_connects_to_Deltacloud_API.yml")
                    if urlsplit(i.uri).path == "/api"][:1]


@pytest.mark.parametrize("path", FIXTURES_111, ids=[p.stem for p in FIXTURES_111])
def test_every_fixture_of_the_111_client_reads(path: Path) -> None:
    items = load(path)
    with serve(with_entry_point(items)) as replay:
        for item in items:
            check(client_for(replay.base, item), item)
        assert not replay.unmatched, replay.unmatched


def test_the_shapes_where_the_original_differs() -> None:
    items = load(ORIGINAL_113)
    with serve(items) as replay:
        xml = Client(replay.base + "/api", "mockuser", "mockpassword")
        json_ = Client(replay.base + "/api", "mockuser", "mockpassword", format="json")
        # Features: the original's JSON wraps each in a list and sends params as "name:string:optional".
        assert xml.feature("instances", "user_name").params == ("name",)
        assert json_.feature("instances", "user_name").params == ("name",)
        assert json_.feature("instances", "realm_filter").operation == "index"
        # JSON instances say "owner"; hardware profile properties are bare strings.
        assert json_.instance("inst0").owner_id == "mockuser" == xml.instance("inst0").owner_id
        assert json_.instance("inst0").hardware_profile_overrides == {"memory": "12288"}
        small = json_.hardware_profile("m1-small")
        assert isinstance(small, HardwareProfile)
        assert small.memory == "1740.8" == xml.hardware_profile("m1-small").memory
        # The state machine's JSON is a bare list; stop leads straight to STOPPED.
        assert json_.instance_states().actions("running", "finish") == ["stop", "destroy"]
        # Keys: pem_rsa_key in JSON, <pem> in XML.
        key = json_.key("test-key")
        assert isinstance(key, Key) and key.pem == xml.key("test-key").pem
        # Actions answer the bare instance in JSON.
        stopped = Instance(json_, {"id": "inst1", "actions": [
            {"rel": "stop", "href": json_.item_url("instances", "inst1") + "/stop", "method": "post"}]}).stop()
        assert isinstance(stopped, Instance) and stopped.state == "STOPPED" and stopped.offers("destroy")
        # Plain-text 400 for a missing parameter, in either format.
        for reader in (xml, json_):
            with pytest.raises(ValidationError, match="Required parameter 'image_id' not found"):
                reader.create("instances", hwp_id="m1-small")
        # 401 as an error document; */* answered with HTML, asked for again with ?format=xml.
        with pytest.raises(AuthenticationError, match="Unauthorized"):
            Client(replay.base + "/api").instances()
        assert Client(replay.base + "/api", format="auto").driver == "mock"
        # The original's drivers JSON is a hash by id.
        assert [d.name for d in json_.drivers()] == ["Mock"]


def test_an_unmatched_request_is_visible() -> None:
    with serve(load(ORIGINAL_113)) as replay:
        client = Client(replay.base + "/api", "mockuser", "mockpassword")
        with pytest.raises(DeltacloudError) as raised:
            client.transport.request("GET", replay.base + "/api/nothing")
        assert raised.value.status == 599 and replay.unmatched


def test_a_create_answered_with_html_is_not_sent_twice() -> None:
    recorded = load(ORIGINAL_113)
    entry = [i for i in recorded if i.uri == "http://localhost:3001/api" and i.headers.get("accept") == "*/*"]
    created = next(i for i in recorded if i.method == "post" and i.status == 201 and "instances" in i.uri
                   and i.headers.get("accept") == "application/xml")
    html = Interaction("post", created.uri, created.body, {"accept": "*/*", "authorization": "Basic x"}, 201,
                       {"content-type": "text/html", "location": "http://localhost:3001/api/instances/inst4"},
                       "<!DOCTYPE html><html><body>inst4</body></html>")
    shown = Interaction("get", "http://localhost:3001/api/instances/inst4", "",
                        {"accept": "application/xml", "authorization": "Basic x"}, 200,
                        {"content-type": "application/xml"}, created.response_body)
    as_html = Interaction("get", "http://localhost:3001/api/instances/inst4", "",
                          {"accept": "*/*", "authorization": "Basic x"}, 200, {"content-type": "text/html"},
                          "<!DOCTYPE html><html></html>")
    xml_entry = [i for i in recorded
                 if i.uri == "http://localhost:3001/api" and i.headers.get("accept") == "application/xml"]
    with serve([*entry, *xml_entry[:1], html, shown, as_html]) as replay:
        client = Client(replay.base, "mockuser", "mockpassword", format="auto")
        instance = client.create_instance("img1", hwp_id="m1-small", name="recorded")
        assert isinstance(instance, Instance) and instance.id == "inst4" and instance.name == "recorded"
        posts = [i for i in replay.served if i.method == "post"]
        assert len(posts) == 1 and not replay.unmatched
