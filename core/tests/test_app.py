"""The HTTP layer through falcon.testing with the tiny driver: selection, formats, headers, errors."""

import base64
import hashlib
import json

import defusedxml.ElementTree as ET


def test_entry_point_lists_supported_collections_and_features(client):
    r = client.simulate_get("/api")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/xml"
    api = ET.fromstring(r.content)
    assert api.tag == "api" and api.get("driver") == "tiny" and api.get("version")
    rels = [link.get("rel") for link in api.findall("link")]
    assert {"instances", "images", "realms", "hardware_profiles", "instance_states", "drivers"} <= set(rels)
    assert "keys" not in rels  # the tiny driver has no keys
    features = {f.get("name"): f for f in api.find("link[@rel='instances']").findall("feature")}
    assert set(features) == {"user_name", "realm_filter"}
    assert features["user_name"].get("rel") == "create"
    assert features["user_name"].find("param").get("name") == "name"
    assert features["user_name"].find("constraint").get("name") == "max_length"
    assert features["user_name"].find("constraint").text == "20"
    assert all(link.get("href").startswith("http://falconframework.org/api/") for link in api.findall("link"))


def test_entry_point_json_shape(client):
    r = client.simulate_get("/api", headers={"Accept": "application/json"})
    assert r.headers["content-type"] == "application/json"
    api = r.json["api"]
    assert api["driver"] == "tiny" and api["provider"] == "default"
    links = {link["rel"]: link for link in api["links"]}
    assert links["instances"]["href"].endswith("/api/instances")
    # 1.1's shape: one list per feature; the flat form is beside it.
    assert {f["name"] for group in links["instances"]["features"] for f in group} == {"user_name", "realm_filter"}
    assert {f["name"] for f in links["instances"]["feature_details"]} == {"user_name", "realm_filter"}
    assert all(p.endswith(":optional") for group in links["instances"]["features"] for f in group
               for p in f["params"])


def test_star_accept_and_no_accept_give_xml_html_only_when_asked(client):
    assert client.simulate_get("/api", headers={"Accept": "*/*"}).headers["content-type"] == "application/xml"
    assert client.simulate_get("/api").headers["content-type"] == "application/xml"
    html = client.simulate_get("/api", headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "<html" in html.text
    assert client.simulate_get("/api", params={"format": "json"}).headers["content-type"] == "application/json"


def test_unacceptable_type_is_406_in_xml(client):
    r = client.simulate_get("/api", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert ET.fromstring(r.content).get("status") == "406"


def test_driver_selection_by_matrix_and_header(client, auth):
    r = client.simulate_get("/api;driver=nope/instances", headers=auth)
    assert r.status_code == 400
    assert "tiny" in ET.fromstring(r.content).findtext("message")
    r = client.simulate_get("/api/instances", headers={**auth, "X-Deltacloud-Driver": "nope"})
    assert r.status_code == 400 and "installed drivers" in r.text
    r = client.simulate_get("/api;driver=tiny;provider=Region-One/realms", headers=auth)
    assert r.status_code == 200
    assert r.headers["X-Deltacloud-Driver"] == "tiny"
    assert r.headers["X-Deltacloud-Provider"] == "Region-One"  # case is kept
    r = client.simulate_get("/api", headers={"X-Deltacloud-Provider": "p2"})
    assert ET.fromstring(r.content).get("provider") == "p2"


def test_etag_and_conditional_get(client, auth):
    first = client.simulate_get("/api/realms", headers=auth)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.simulate_get("/api/realms", headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.simulate_get("/api/realms", headers={**auth, "If-None-Match": '"other"'})
    assert other.status_code == 200


def test_the_entry_points_kept_etag_is_the_md5_of_its_bytes_in_each_format(client, auth):
    """/api is kept per offer and context with its ETag: the tag still names exactly the bytes sent."""
    tags = set()
    for accept in ("application/xml", "application/json"):
        first = client.simulate_get("/api", headers={**auth, "Accept": accept})
        again = client.simulate_get("/api", headers={**auth, "Accept": accept})
        assert first.content == again.content and first.headers["ETag"] == again.headers["ETag"]
        assert first.headers["ETag"] == '"' + hashlib.md5(first.content, usedforsecurity=False).hexdigest() + '"'
        assert client.simulate_get("/api", headers={**auth, "Accept": accept,
                                                    "If-None-Match": first.headers["ETag"]}).status_code == 304
        tags.add(first.headers["ETag"])
    assert len(tags) == 2


def test_server_timing_reports_backend_time(client, auth):
    r = client.simulate_get("/api/realms", headers=auth)
    assert r.headers["Server-Timing"].startswith("backend;dur=")
    assert float(r.headers["Server-Timing"].split(";dur=")[1].split(",")[0]) >= 0


def test_missing_and_wrong_credentials_are_401_with_challenge(client):
    r = client.simulate_get("/api/instances")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic realm=")
    bad = {"Authorization": "Basic " + base64.b64encode(b"u:wrong").decode()}
    r = client.simulate_get("/api/instances", headers=bad, params={"format": "json"})
    assert r.status_code == 401 and r.json["code"] == 401
    r = client.simulate_get("/api/instances", headers={"Authorization": "Basic !!!notbase64"})
    assert r.status_code == 401


def test_force_auth(client, auth):
    assert client.simulate_get("/api", params={"force_auth": "1"}, headers=auth).status_code == 200
    bad = {"Authorization": "Basic " + base64.b64encode(b"u:x").decode()}
    assert client.simulate_get("/api", params={"force_auth": "1"}, headers=bad).status_code == 401
    assert client.simulate_get("/api", params={"force_auth": "true"}).status_code == 401
    assert client.simulate_get("/api", headers=bad).status_code == 200  # /api itself needs no credentials


def test_static_profiles_need_no_credentials(client):
    r = client.simulate_get("/api/hardware_profiles/big")
    assert r.status_code == 200
    props = {p.get("name"): p for p in ET.fromstring(r.content).findall("property")}
    assert props["cpu"].get("kind") == "range" and props["cpu"].find("range").get("last") == "8"
    assert props["memory"].get("kind") == "enum"
    assert [e.get("value") for e in props["memory"].find("enum")] == ["1024", "2048"]
    assert props["cpu"].find("param").get("name") == "hwp_cpu"


def test_instance_lifecycle_and_state_checks(client, auth):
    r = client.simulate_post("/api/instances", headers=auth,
                             params={"image_id": "i1", "hwp_id": "big", "hwp_cpu": "4", "name": "web"})
    assert r.status_code == 201
    doc = ET.fromstring(r.content)
    assert r.headers["Location"] == doc.get("href")
    id = doc.get("id")
    assert doc.findtext("name") == "web"
    assert doc.find("hardware_profile/property").attrib == {"kind": "fixed", "name": "cpu", "value": "4",
                                                            "unit": "count"}
    assert [a.get("rel") for a in doc.find("actions")] == ["stop"]
    r = client.simulate_delete(f"/api/instances/{id}", headers=auth)
    assert r.status_code == 405 and "RUNNING" in r.text and r.headers["Allow"] == "GET, HEAD, OPTIONS"
    r = client.simulate_post(f"/api/instances/{id}/start", headers=auth)
    assert r.status_code == 405
    r = client.simulate_post(f"/api/instances/{id}/reboot", headers=auth)
    assert r.status_code == 405  # the tiny driver cannot reboot at all
    r = client.simulate_post(f"/api/instances/{id}/stop", headers=auth)
    assert r.status_code == 202 and ET.fromstring(r.content).findtext("state") == "STOPPED"
    assert client.simulate_delete(f"/api/instances/{id}", headers=auth).status_code == 204
    assert client.simulate_get(f"/api/instances/{id}", headers=auth).status_code == 404
    assert client.simulate_post(f"/api/instances/{id}/stop", headers=auth).status_code == 404


def test_create_validation_errors_name_the_parameter(client, auth):
    cases = [({"hwp_id": "big"}, "image_id"),
             ({"image_id": "i1", "hwp_id": "big", "hwp_cpu": "9"}, "hwp_cpu"),
             ({"image_id": "i1", "hwp_id": "big", "hwp_memory": "1500"}, "hwp_memory"),
             ({"image_id": "i1", "hwp_id": "small", "hwp_cpu": "2"}, "hwp_cpu"),
             ({"image_id": "i1", "hwp_id": "huge"}, "hwp_id"),
             ({"image_id": "i1", "realm_id": "nowhere"}, "realm_id"),
             ({"image_id": "i1", "hwp_id": "big", "hwp_storage": "10"}, "hwp_storage")]
    for params, name in cases:
        r = client.simulate_post("/api/instances", headers=auth, params={**params, "format": "json"})
        assert r.status_code == 400, params
        assert name in r.json["message"], (params, r.json)
    enum_ok = client.simulate_post("/api/instances", headers=auth,
                                   params={"image_id": "i1", "hwp_id": "big", "hwp_memory": "2048"})
    assert enum_ok.status_code == 201


def test_bodies_form_json_and_xml(client, auth):
    r = client.simulate_post("/api/instances", headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
                             body="image_id=i1&name=formed")
    assert r.status_code == 201 and ET.fromstring(r.content).findtext("name") == "formed"
    r = client.simulate_post("/api/instances", headers={**auth, "Content-Type": "application/json"},
                             body=json.dumps({"image_id": "i1", "name": "jsoned"}))
    assert r.status_code == 201 and ET.fromstring(r.content).findtext("name") == "jsoned"
    r = client.simulate_post("/api/instances", headers={**auth, "Content-Type": "application/xml"},
                             body="<instance><image_id>i1</image_id><name>xmled</name></instance>")
    assert r.status_code == 201 and ET.fromstring(r.content).findtext("name") == "xmled"


def test_hostile_xml_is_refused(client, auth):
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<instance><image_id>&b;</image_id></instance>")
    r = client.simulate_post("/api/instances", headers={**auth, "Content-Type": "application/xml"}, body=bomb)
    assert r.status_code == 400
    r = client.simulate_post("/api/instances", headers={**auth, "Content-Type": "application/json"}, body="{nope")
    assert r.status_code == 400


def test_body_limit_is_413(tiny, auth):
    import falcon.testing

    from deltacloud.config import ServerConfig
    from deltacloud.http.app import create_app

    small = falcon.testing.TestClient(create_app(ServerConfig(driver="tiny", max_body_bytes=100)))
    r = small.simulate_post("/api/instances", headers={**auth, "Content-Type": "application/json"},
                            body=json.dumps({"image_id": "i1", "name": "x" * 200}))
    assert r.status_code == 413


def test_errors_never_echo_parameters_or_tracebacks(client, auth):
    r = client.simulate_post("/api/instances", headers=auth,
                             params={"image_id": "missing-image", "password": "s3cret-value"})
    assert r.status_code == 400 and "image_id" in r.text
    assert "s3cret-value" not in r.text and "Traceback" not in r.text
    assert set(child.tag for child in ET.fromstring(r.content)) == {"backend", "code", "message"}


def test_unknown_parameters_are_ignored_with_a_warning(client, auth):
    r = client.simulate_get("/api/realms", headers=auth, params={"colour": "blue"})
    assert r.status_code == 200 and "colour" in r.headers["Warning"]


def test_filters(client, auth):
    client.simulate_post("/api/instances", headers=auth, params={"image_id": "i1", "realm_id": "r2"})
    client.simulate_post("/api/instances", headers=auth, params={"image_id": "i1", "realm_id": "r1"})
    r = client.simulate_get("/api/instances", headers=auth, params={"realm_id": "r2", "format": "json"})
    assert {i["realm"]["id"] for i in r.json["instances"]} == {"r2"}
    r = client.simulate_get("/api/realms", headers=auth, params={"id": "r1", "format": "json"})
    assert [x["id"] for x in r.json["realms"]] == ["r1"]
    r = client.simulate_get("/api/instances", headers=auth, params={"state": "stopped", "format": "json"})
    assert r.json["instances"] == []


def test_unsupported_collection_404_and_operation_405(client, auth):
    assert client.simulate_get("/api/keys", headers=auth).status_code == 404
    r = client.simulate_post("/api/images", headers=auth, params={"instance_id": "x"})
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and "POST" not in r.headers["Allow"]
    assert client.simulate_put("/api/instances", headers=auth).status_code == 405
    assert client.simulate_get("/api/nothing", headers=auth).status_code == 404


def test_options_head_and_post_redirect(client, auth):
    r = client.simulate_options("/api/instances")
    assert {"GET", "POST", "OPTIONS"} <= set(r.headers["Allow"].split(", "))
    r = client.simulate_options("/api/instances/create")
    assert "image_id:string:required" in r.headers["Allow"]
    head = client.simulate_head("/api/realms", headers=auth)
    assert head.status_code == 200 and head.content == b"" and int(head.headers["Content-Length"]) > 0
    r = client.simulate_post("/api", headers={"Content-Type": "application/x-www-form-urlencoded"},
                             body="driver=tiny&provider=east")
    assert r.status_code == 301 and r.headers["Location"].endswith("/api;driver=tiny;provider=east")
    html = client.simulate_post("/api", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                 "Accept": "text/html"}, body="driver=tiny&provider=a/b")
    assert html.status_code == 303 and html.headers["Location"].endswith("/api;driver=tiny;provider=a%2Fb")
    assert client.simulate_post("/api", params={"driver": "nope"}).status_code == 400


def test_html_delete_by_method_override(client, auth):
    created = client.simulate_post("/api/instances", headers=auth, params={"image_id": "i1"})
    id = ET.fromstring(created.content).get("id")
    client.simulate_post(f"/api/instances/{id}/stop", headers=auth)
    form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
    r = client.simulate_post(f"/api/instances/{id}", headers=form, body="_method=delete")
    assert r.status_code == 204


def test_instance_states_and_drivers(client):
    states = ET.fromstring(client.simulate_get("/api/instance_states").content)
    assert [s.get("name") for s in states] == ["start", "running", "stopped", "finish"]
    assert states.find("state[@name='running']/transition").attrib == {"action": "stop", "to": "stopped"}
    drivers = client.simulate_get("/api/drivers", params={"format": "json"}).json  # 1.1: keyed by driver id
    assert drivers["tiny"]["id"] == "tiny"
    assert client.simulate_get("/api/drivers/tiny").status_code == 200
    assert client.simulate_get("/api/drivers/unknown").status_code == 404


def test_delete_on_an_action_url_is_405_with_its_methods(client, auth):
    created = client.simulate_post("/api/instances", headers=auth, params={"image_id": "i1"})
    id = ET.fromstring(created.content).get("id")
    r = client.simulate_delete(f"/api/instances/{id}/stop", headers=auth)
    assert r.status_code == 405 and r.headers["Allow"] == "OPTIONS, POST"
    assert client.simulate_delete(f"/api/instances/{id}/nothing", headers=auth).status_code == 404
    assert client.simulate_post(f"/api/instances/{id}/stop", headers=auth).status_code == 202


def test_html_form_delete_redirects_to_the_collection(client, auth):
    created = client.simulate_post("/api/instances", headers=auth, params={"image_id": "i1"})
    id = ET.fromstring(created.content).get("id")
    client.simulate_post(f"/api/instances/{id}/stop", headers=auth)
    form = {**auth, "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
    r = client.simulate_post(f"/api/instances/{id}", headers=form, body="_method=delete")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/api/instances?done=destroyed&gone={id}")
    assert client.simulate_get(f"/api/instances/{id}", headers=auth).status_code == 404


def test_entry_point_makes_a_driver_object_only_for_a_driver_that_narrows_its_offer(client, auth, monkeypatch):
    from deltacloud import loader

    cls = loader.load_driver("tiny")
    made = []
    original = cls.__init__

    def counted(self, *args, **kwargs):
        made.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", counted)
    assert client.simulate_get("/api", headers=auth).status_code == 200
    assert made == []  # the class's whole offer: nothing to ask an object
    assert client.simulate_get("/api/realms", headers=auth).status_code == 200
    assert made == ["TinyDriver"]
    monkeypatch.setattr(cls, "offers", lambda self: (frozenset(), frozenset()))  # no optional collection, no feature
    api = ET.fromstring(client.simulate_get("/api", headers=auth).content)
    assert made == ["TinyDriver", "TinyDriver"]
    rels = {link.get("rel") for link in api.findall("link")}
    assert "instances" in rels and api.find("link[@rel='instances']").findall("feature") == []
