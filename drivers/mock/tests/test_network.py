"""Mock addresses, firewalls and load balancers over HTTP: every operation, status code and format."""

from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
import yaml

RECORDINGS = Path(__file__).parent / "recordings"


def recorded(cassette: str, method: str, path: str):
    """The XML body the original server answered to ``method path`` in a cassette."""
    for interaction in yaml.safe_load((RECORDINGS / cassette).read_text())["http_interactions"]:
        request = interaction["request"]
        if request["method"] == method and request["uri"].split("?")[0].endswith(path):
            return ET.fromstring(interaction["response"]["body"]["string"])
    raise LookupError(path)


def tags(element) -> list:
    """Child tags and attribute names in order, recursively."""
    return [(c.tag, sorted(c.attrib), tags(c)) for c in element]


def public_addresses(api, auth, id: str) -> list[tuple[str, str]]:
    inst = ET.fromstring(api.simulate_get(f"/api/instances/{id}", headers=auth).content)
    return [(a.get("type"), a.text) for a in inst.findall("public_addresses/address")]


# -- addresses -----------------------------------------------------------------------------------


def test_seed_addresses_match_the_original(api, mock_auth):
    ours = ET.fromstring(api.simulate_get("/api/addresses", headers=mock_auth).content)
    theirs = recorded("test_0001_supports_addresses.yml", "get", "/api/addresses")
    assert [a.get("id") for a in ours] == ["192.168.0.1", "192.168.0.2", "192.168.0.3", "192.168.0.4"]
    by_id = {a.get("id"): a for a in ours}
    for address in theirs:
        mine = by_id[address.get("id")]
        assert tags(mine) == tags(address) and mine.findtext("ip") == address.findtext("ip")
        assert [(link.get("rel"), link.get("method")) for link in mine.find("actions")] == \
            [(link.get("rel"), link.get("method")) for link in address.find("actions")]


def test_allocate_like_the_original_then_release(api, mock_auth):
    r = api.simulate_post("/api/addresses", headers=mock_auth)
    assert r.status_code == 201
    theirs = recorded("test_0004_support_create_address.yml", "post", "/api/addresses")
    ours = ET.fromstring(r.content)
    assert ours.get("id") == theirs.get("id") == "192.168.0.5" and tags(ours) == tags(theirs)
    assert r.headers["Location"].endswith("/api/addresses/192.168.0.5")
    assert api.simulate_delete("/api/addresses/192.168.0.5", headers=mock_auth).status_code == 204
    assert api.simulate_get("/api/addresses/192.168.0.5", headers=mock_auth).status_code == 404
    again = ET.fromstring(api.simulate_post("/api/addresses", headers=mock_auth).content)
    assert again.get("id") == "192.168.0.6"  # a released address is not handed out again at once


def test_associate_changes_the_instance_public_address(api, mock_auth):
    before = public_addresses(api, mock_auth, "inst1")
    assert before == [("hostname", "img1.inst1.public.com")]
    r = api.simulate_post("/api/addresses/192.168.0.2/associate", headers=mock_auth, params={"instance_id": "inst1"})
    assert r.status_code == 202, r.text
    address = ET.fromstring(r.content)
    assert address.find("instance").get("id") == "inst1"
    assert [link.get("rel") for link in address.find("actions")] == ["disassociate"]
    assert public_addresses(api, mock_auth, "inst1") == [("ipv4", "192.168.0.2")]
    assert api.simulate_delete("/api/addresses/192.168.0.2", headers=mock_auth).status_code == 409
    r = api.simulate_post("/api/addresses/192.168.0.2/associate", headers=mock_auth, params={"instance_id": "inst2"})
    assert r.status_code == 409
    r = api.simulate_post("/api/addresses/192.168.0.3/associate", headers=mock_auth, params={"instance_id": "inst1"})
    assert r.status_code == 409 and "already has address '192.168.0.2'" in r.text
    r = api.simulate_post("/api/addresses/192.168.0.2/disassociate", headers=mock_auth)
    assert r.status_code == 202 and ET.fromstring(r.content).find("instance") is None
    assert public_addresses(api, mock_auth, "inst1") == before
    assert api.simulate_post("/api/addresses/192.168.0.2/disassociate", headers=mock_auth).status_code == 409
    assert api.simulate_post("/api/addresses/192.168.0.9/associate", headers=mock_auth,
                             params={"instance_id": "inst1"}).status_code == 404
    assert api.simulate_post("/api/addresses/192.168.0.2/associate", headers=mock_auth,
                             params={"instance_id": "nope"}).status_code == 404
    assert api.simulate_post("/api/addresses/192.168.0.2/associate", headers=mock_auth).status_code == 400


def test_destroying_an_instance_frees_its_address(api, mock_auth):
    id = api.simulate_post("/api/instances", headers=mock_auth, params={"image_id": "img1", "format": "json"}
                           ).json["instance"]["id"]
    api.simulate_post("/api/addresses/192.168.0.4/associate", headers=mock_auth, params={"instance_id": id})
    api.simulate_get(f"/api/instances/{id}", headers=mock_auth)
    api.simulate_post(f"/api/instances/{id}/stop", headers=mock_auth)
    assert api.simulate_delete(f"/api/instances/{id}", headers=mock_auth).status_code == 204
    doc = api.simulate_get("/api/addresses/192.168.0.4", headers=mock_auth, params={"format": "json"}).json
    assert doc["address"]["instance"] is None and doc["address"]["ip"] == "192.168.0.4"


# -- firewalls -----------------------------------------------------------------------------------


def test_seed_firewall_has_the_original_shape(api, mock_auth):
    ours = ET.fromstring(api.simulate_get("/api/firewalls", headers=mock_auth).content)
    theirs = recorded("test_0001_supports_firewalls.yml", "get", "/api/firewalls")
    (default,) = ours.findall("firewall")
    original = theirs.find("firewall[@id='default']")
    assert [c.tag for c in default] == [c.tag for c in original]
    assert (default.findtext("name"), default.findtext("description")) == ("default", "default group")
    assert [(link.get("rel"), link.get("method")) for link in default.find("actions")] == \
        [(link.get("rel"), link.get("method")) for link in original.find("actions")]
    their_rules = {r.findtext("allow_protocol"): r for r in original.find("rules")}
    for rule in default.find("rules"):
        assert tags(rule) == tags(their_rules[rule.findtext("allow_protocol")])
    sources = [s.attrib for s in default.iterfind("rules/rule/sources/source")]
    assert {"type": "address", "family": "ipv4", "address": "0.0.0.0", "prefix": "0"} in sources
    assert {"type": "group", "name": "default", "owner": "mockuser"} in sources


def test_firewall_create_rules_destroy(api, mock_auth):
    r = api.simulate_post("/api/firewalls?name=web", headers=mock_auth)
    assert r.status_code == 400 and "description" in r.text  # required, as in the original
    r = api.simulate_post("/api/firewalls", headers=mock_auth, params={"name": "web", "description": "front end"})
    assert r.status_code == 201 and r.headers["Location"].endswith("/api/firewalls/web")
    assert ET.fromstring(r.content).find("rules") is not None
    assert api.simulate_post("/api/firewalls", headers=mock_auth,
                             params={"name": "web", "description": "again"}).status_code == 409
    rule = {"protocol": "tcp", "port_from": "80", "port_to": "443", "ip_address1": "10.0.0.0/8",
            "ip_address2": "192.168.7.7", "group1": "default"}
    r = api.simulate_post("/api/firewalls/web/rules", headers=mock_auth, params=rule)
    assert r.status_code == 201, r.text
    (added,) = ET.fromstring(r.content).findall("rules/rule")
    assert added.get("id") == ("mockuser~tcp~80~443~@address,ipv4,10.0.0.0,8,@address,ipv4,192.168.7.7,32,"
                               "@group,mockuser,default")
    assert [s.attrib for s in added.find("sources")] == [
        {"type": "address", "family": "ipv4", "address": "10.0.0.0", "prefix": "8"},
        {"type": "address", "family": "ipv4", "address": "192.168.7.7", "prefix": "32"},
        {"type": "group", "name": "default", "owner": "mockuser"}]
    assert api.simulate_post("/api/firewalls/web/rules", headers=mock_auth, params=rule).status_code == 409
    r = api.simulate_post("/api/firewalls/web/rules", headers=mock_auth,
                          params={"protocol": "udp", "port_from": "53", "port_to": "53", "group1": "nowhere"})
    assert r.status_code == 400 and "nowhere" in r.text
    r = api.simulate_post("/api/firewalls/web/rules", headers=mock_auth, params={
        "protocol": "udp", "port_from": "53", "port_to": "53", "group1": "theirs", "group1owner": "123456"})
    assert r.status_code == 201  # another account's group is taken on trust
    destroy = added.find("actions/link").get("href").removeprefix("http://falconframework.org")
    assert api.simulate_delete(destroy, headers=mock_auth).status_code == 204
    assert api.simulate_delete(destroy, headers=mock_auth).status_code == 404
    rules = api.simulate_get("/api/firewalls/web", headers=mock_auth, params={"format": "json"}).json
    assert [(r["allow_protocol"], r["sources"][0]["owner"]) for r in rules["firewall"]["rules"]] == [
        ("udp", "123456")]
    assert api.simulate_delete("/api/firewalls/web", headers=mock_auth).status_code == 204
    assert api.simulate_get("/api/firewalls/web", headers=mock_auth).status_code == 404
    assert api.simulate_delete("/api/firewalls/web", headers=mock_auth).status_code == 404


@pytest.mark.parametrize(("params", "name"), [
    ({"protocol": "tcp", "port_from": "22", "port_to": "22", "ip_address1": "300.0.0.0/8"}, "ip_address"),
    ({"protocol": "tcp", "port_from": "22", "port_to": "99999", "ip_address1": "0.0.0.0/0"}, "port_to"),
    ({"protocol": "tcp", "port_from": "22", "port_to": "22"}, "ip_address"),
    ({"protocol": "gre", "ip_address1": "0.0.0.0/0"}, "protocol"),
])
def test_bad_rules_change_nothing(api, mock_auth, params, name):
    r = api.simulate_post("/api/firewalls/default/rules", headers=mock_auth, params={**params, "format": "json"})
    assert r.status_code == 400 and name in r.json["message"]
    shown = api.simulate_get("/api/firewalls/default", headers=mock_auth, params={"format": "json"}).json
    assert len(shown["firewall"]["rules"]) == 2


def test_firewalls_on_launch_and_in_use(api, mock_auth):
    api.simulate_post("/api/firewalls", headers=mock_auth, params={"name": "db", "description": "database"})
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "firewalls1": "default", "firewalls2": "db"})
    assert r.status_code == 201, r.text
    inst = ET.fromstring(r.content)
    assert [f.get("id") for f in inst.findall("firewalls/firewall")] == ["default", "db"]
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "firewalls": "nope", "format": "json"})
    assert r.status_code == 400 and "firewalls" in r.json["message"] and "nope" in r.json["message"]
    r = api.simulate_delete("/api/firewalls/db", headers=mock_auth, params={"format": "json"})
    assert r.status_code == 409 and inst.get("id") in r.json["message"]
    api.simulate_get(f"/api/instances/{inst.get('id')}", headers=mock_auth)
    api.simulate_post(f"/api/instances/{inst.get('id')}/stop", headers=mock_auth)
    api.simulate_delete(f"/api/instances/{inst.get('id')}", headers=mock_auth)
    assert api.simulate_delete("/api/firewalls/db", headers=mock_auth).status_code == 204


def test_rules_naming_odd_groups_can_be_deleted(api, mock_auth):
    assert api.simulate_post("/api/firewalls", headers=mock_auth,
                             params={"name": "a;b", "description": "d"}).status_code == 400
    for group in ("a/b", "a;b", "caf\u00e9 bar", "50%"):
        r = api.simulate_post("/api/firewalls/default/rules", headers=mock_auth, params={
            "protocol": "tcp", "port_from": "1", "port_to": "2", "group1": group, "group1owner": "other",
            "format": "json"})
        assert r.status_code == 201, r.text
        rule = next(x for x in r.json["firewall"]["rules"] if x["sources"][0].get("name") == group)
        assert "/" not in rule["id"] and ";" not in rule["id"]
        href = rule["actions"][0]["href"].removeprefix("http://falconframework.org")
        assert api.simulate_delete(href, headers=mock_auth).status_code == 204, group


def test_a_firewall_named_by_another_rule_stays(api, mock_auth):
    api.simulate_post("/api/firewalls", headers=mock_auth, params={"name": "app", "description": "d"})
    api.simulate_post("/api/firewalls/default/rules", headers=mock_auth,
                      params={"protocol": "tcp", "port_from": "1", "port_to": "2", "group1": "app"})
    r = api.simulate_delete("/api/firewalls/app", headers=mock_auth)
    assert r.status_code == 409 and "default" in r.text


# -- load balancers ------------------------------------------------------------------------------

LB = {"name": "web-lb", "realm_id": "us", "listener_protocol": "HTTP", "listener_balancer_port": "80",
      "listener_instance_port": "8080"}


def test_load_balancer_lifecycle(api, mock_auth):
    empty = api.simulate_get("/api/load_balancers", headers=mock_auth)
    assert ET.fromstring(empty.content).tag == "load_balancers" and len(ET.fromstring(empty.content)) == 0
    r = api.simulate_post("/api/load_balancers", headers=mock_auth, params=LB)
    assert r.status_code == 201, r.text
    lb = ET.fromstring(r.content)
    assert lb.get("id") == "web-lb" and r.headers["Location"].endswith("/api/load_balancers/web-lb")
    assert [c.tag for c in lb] == ["name", "actions", "public_addresses", "created_at", "realms", "listeners",
                                   "instances"]
    listener = lb.find("listeners/listener")
    assert (listener.get("protocol"), listener.findtext("load_balancer_port"), listener.findtext("instance_port")) \
        == ("HTTP", "80", "8080")
    assert lb.find("realms/realm").get("id") == "us" and lb.findtext("public_addresses/address")
    assert api.simulate_post("/api/load_balancers", headers=mock_auth, params=LB).status_code == 409

    r = api.simulate_post("/api/load_balancers/web-lb/register", headers=mock_auth, params={"instance_id": "inst1"})
    assert r.status_code == 200, r.text
    member = ET.fromstring(r.content).find("instances/instance")
    assert member.get("id") == "inst1" and member.find("link").get("rel") == "unregister"
    assert api.simulate_post("/api/load_balancers/web-lb/register", headers=mock_auth,
                             params={"instance_id": "inst1"}).status_code == 409
    r = api.simulate_post("/api/load_balancers/web-lb/register", headers=mock_auth,
                          params={"instance_id": "inst3", "format": "json"})
    assert r.status_code == 409 and "realm 'eu'" in r.json["message"]
    assert api.simulate_post("/api/load_balancers/web-lb/register", headers=mock_auth,
                             params={"instance_id": "nope"}).status_code == 404
    unregister = member.find("link").get("href").removeprefix("http://falconframework.org")
    r = api.simulate_post(unregister, headers=mock_auth)  # the instance id travels as a matrix parameter
    assert r.status_code == 200 and ET.fromstring(r.content).findall("instances/instance") == []
    assert api.simulate_post(unregister, headers=mock_auth).status_code == 409
    assert api.simulate_delete("/api/load_balancers/web-lb", headers=mock_auth).status_code == 204
    assert api.simulate_get("/api/load_balancers/web-lb", headers=mock_auth).status_code == 404
    assert api.simulate_post("/api/load_balancers/web-lb/register", headers=mock_auth,
                             params={"instance_id": "inst1"}).status_code == 404


@pytest.mark.parametrize(("change", "name"), [
    ({"name": "bad_name!"}, "name"), ({"realm_id": "mars"}, "realm_id"), ({"listener_protocol": "UDP"},
                                                                            "listener_protocol"),
    ({"listener_balancer_port": "0"}, "listener_balancer_port"), ({"listener_instance_port": "x"},
                                                                   "listener_instance_port"),
    ({"realm_id": ""}, "realm_id"),
])
def test_load_balancer_create_refusals(api, mock_auth, change, name):
    r = api.simulate_post("/api/load_balancers", headers=mock_auth, params={**LB, **change, "format": "json"})
    assert r.status_code == 400 and name in r.json["message"]


def test_register_to_load_balancer_on_launch(api, mock_auth):
    api.simulate_post("/api/load_balancers", headers=mock_auth, params={**LB, "realm_id": "eu"})
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "load_balancer_id": "web-lb", "instance_count": "2",
                                  "format": "json"})
    assert r.status_code == 201, r.text
    launched = [i["id"] for i in r.json["instances"]]
    assert {i["realm"]["id"] for i in r.json["instances"]} == {"eu"}  # the realm follows the balancer's
    lb = api.simulate_get("/api/load_balancers/web-lb", headers=mock_auth, params={"format": "json"}).json
    assert [i["id"] for i in lb["load_balancer"]["instances"]] == launched
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "load_balancer_id": "web-lb", "realm_id": "us",
                                  "format": "json"})
    assert r.status_code == 400 and "load_balancer_id" in r.json["message"]
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "load_balancer_id": "nope", "format": "json"})
    assert r.status_code == 400 and "load_balancer_id" in r.json["message"]
    api.simulate_post(f"/api/instances/{launched[0]}/stop", headers=mock_auth)
    api.simulate_delete(f"/api/instances/{launched[0]}", headers=mock_auth)
    lb = api.simulate_get("/api/load_balancers/web-lb", headers=mock_auth, params={"format": "json"}).json
    assert [i["id"] for i in lb["load_balancer"]["instances"]] == launched[1:]


def test_network_pages_render_as_html(api, mock_auth):
    api.simulate_post("/api/load_balancers", headers=mock_auth, params=LB)
    for path in ("/api/addresses", "/api/addresses/192.168.0.1", "/api/firewalls", "/api/firewalls/default",
                 "/api/load_balancers", "/api/load_balancers/web-lb"):
        r = api.simulate_get(path, headers={**mock_auth, "Accept": "text/html"})
        assert r.status_code == 200 and r.text.startswith("<!DOCTYPE html>"), path
    page = api.simulate_get("/api/load_balancers", headers={**mock_auth, "Accept": "text/html"}).text
    for field in ("name", "realm_id", "listener_protocol", "listener_balancer_port", "listener_instance_port"):
        assert f'name="{field}"' in page, field
