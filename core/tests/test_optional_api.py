"""The optional collections in the core: description, routes (rule deletion), rule validation, renderings."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import defusedxml.ElementTree as ET
import falcon.testing
import pytest

from deltacloud.api.firewall_rules import address_source, ports, rule_sources
from deltacloud.config import ServerConfig
from deltacloud.errors import ValidationError
from deltacloud.http.app import create_app
from deltacloud.models import RuleSource
from deltacloud.plugins import defaults as default_hooks
from deltacloud.testing import installed_entry_point

FIXTURES = Path(__file__).parent / "fixtures"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}


@pytest.fixture
def walls(tmp_path):
    """The walls driver module, installed as ``walls`` and ``norules``, with empty state."""
    shutil.copy(FIXTURES / "walls_driver.py", tmp_path / "walls_driver.py")
    with installed_entry_point(tmp_path, "walls", "walls_driver:WallsDriver"), \
            installed_entry_point(tmp_path, "norules", "walls_driver:NoRuleDeletionDriver"):
        import walls_driver

        yield walls_driver


@pytest.fixture
def api(walls):
    """A test client whose default driver is ``walls``, with firewall ``web`` created."""
    client = falcon.testing.TestClient(create_app(ServerConfig(driver="walls")))
    assert client.simulate_post("/api/firewalls", headers=AUTH,
                                params={"name": "web", "description": "front"}).status_code == 201
    return client


def test_collections_are_declared_in_order():
    names = [c.name for c in default_hooks.deltacloud_collections()]
    assert names.index("keys") < names.index("storage_volumes") < names.index("storage_snapshots") \
        < names.index("addresses") < names.index("firewalls") < names.index("load_balancers") \
        < names.index("metrics") < names.index("drivers")
    assert names[-1] == "drivers"


def test_entry_point_links_only_what_the_driver_implements(api):
    rels = {link.get("rel") for link in ET.fromstring(api.simulate_get("/api").content).findall("link")}
    assert {"firewalls", "addresses", "metrics"} <= rels
    assert not {"storage_volumes", "storage_snapshots", "load_balancers"} & rels
    assert api.simulate_get("/api/storage_volumes", headers=AUTH).status_code == 404


def test_add_rule_passes_checked_sources(api, walls):
    r = api.simulate_post("/api/firewalls/web/rules", headers=AUTH, params={
        "protocol": "tcp", "port_from": "80", "port_to": "443", "ip_address1": "10.0.0.0/8",
        "ip_address2": "192.168.1.7", "ip_address3": "2001:db8::/32",
        "group1": "admins", "group1owner": "42", "group2": "ops", "group2owner": "43"})
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith("/api/firewalls/web")
    assert walls.CALLS[-1] == ("add_firewall_rule", "web", "tcp", 80, 443, (
        RuleSource("address", "10.0.0.0", "8", "ipv4"), RuleSource("address", "192.168.1.7", "32", "ipv4"),
        RuleSource("address", "2001:db8::", "32", "ipv6"), RuleSource("group", name="admins", owner="42"),
        RuleSource("group", name="ops", owner="43")))
    assert "Warning" not in r.headers  # group1owner… were read, not ignored
    wall = ET.fromstring(r.content)
    assert wall.tag == "firewall"
    rule = wall.find("rules/rule")
    assert (rule.findtext("allow_protocol"), rule.findtext("port_from"), rule.findtext("port_to"),
            rule.findtext("direction")) == ("tcp", "80", "443", "ingress")
    sources = [s.attrib for s in rule.find("sources")]
    assert sources[0] == {"type": "address", "family": "ipv4", "address": "10.0.0.0", "prefix": "8"}
    assert sources[3] == {"type": "group", "name": "admins", "owner": "42"}
    destroy = rule.find("actions/link")
    assert (destroy.get("rel"), destroy.get("method")) == ("destroy", "delete")
    assert destroy.get("href").endswith("/api/firewalls/web/r1")


@pytest.mark.parametrize(("params", "name"), [
    ({"protocol": "sctp", "port_from": "1", "port_to": "2", "ip_address1": "0.0.0.0/0"}, "protocol"),
    ({"port_from": "1", "port_to": "2", "ip_address1": "0.0.0.0/0"}, "protocol"),
    ({"protocol": "tcp", "port_from": "x", "port_to": "2", "ip_address1": "0.0.0.0/0"}, "port_from"),
    ({"protocol": "tcp", "port_from": "1", "port_to": "70000", "ip_address1": "0.0.0.0/0"}, "port_to"),
    ({"protocol": "tcp", "port_from": "-1", "port_to": "2", "ip_address1": "0.0.0.0/0"}, "port_from"),
    ({"protocol": "tcp", "port_from": "90", "port_to": "80", "ip_address1": "0.0.0.0/0"}, "port_from"),
    ({"protocol": "udp", "port_to": "80", "ip_address1": "0.0.0.0/0"}, "port_from"),
    ({"protocol": "icmp", "port_from": "300", "ip_address1": "0.0.0.0/0"}, "port_from"),
    ({"protocol": "tcp", "port_from": "1", "port_to": "2"}, "ip_address"),
    ({"protocol": "tcp", "port_from": "1", "port_to": "2", "ip_address1": "10.0.0.300/8"}, "ip_address"),
    ({"protocol": "tcp", "port_from": "1", "port_to": "2", "ip_address1": "10.0.0.1/8"}, "ip_address"),
    ({"protocol": "tcp", "port_from": "1", "port_to": "2", "ip_address1": "10.0.0.0/33"}, "ip_address"),
    ({"protocol": "tcp", "port_from": "1", "port_to": "2", "group1": "a", "group2": "b", "group2owner": "9"},
     "group_owner"),
])
def test_bad_rules_are_400_naming_the_parameter(api, walls, params, name):
    calls = len(walls.CALLS)
    r = api.simulate_post("/api/firewalls/web/rules", headers=AUTH, params={**params, "format": "json"})
    assert r.status_code == 400, r.text
    assert name in r.json["message"]
    assert len(walls.CALLS) == calls  # the driver never saw it


def test_icmp_rules_default_to_any_type_and_code(api, walls):
    r = api.simulate_post("/api/firewalls/web/rules", headers=AUTH,
                          params={"protocol": "icmp", "port_from": "8", "port_to": "0", "group1": "web"})
    assert r.status_code == 201
    assert walls.CALLS[-1][2:5] == ("icmp", 8, 0)
    api.simulate_post("/api/firewalls/web/rules", headers=AUTH, params={"protocol": "icmp", "ip_address": "::1"})
    assert walls.CALLS[-1][2:6] == ("icmp", -1, -1, (RuleSource("address", "::1", "128", "ipv6"),))


def test_rule_on_a_missing_firewall_is_404(api):
    r = api.simulate_post("/api/firewalls/nope/rules", headers=AUTH,
                          params={"protocol": "tcp", "port_from": "22", "port_to": "22", "ip_address1": "0.0.0.0/0"})
    assert r.status_code == 404


def test_delete_rule_by_its_own_url(api, walls):
    api.simulate_post("/api/firewalls/web/rules", headers=AUTH,
                      params={"protocol": "tcp", "port_from": "22", "port_to": "22", "ip_address1": "0.0.0.0/0"})
    api.simulate_post("/api/firewalls/web/rules", headers=AUTH,
                      params={"protocol": "udp", "port_from": "53", "port_to": "53", "ip_address1": "0.0.0.0/0"})
    r = api.simulate_delete("/api/firewalls/web/r1", headers=AUTH)
    assert r.status_code == 204 and not r.content
    assert walls.CALLS[-1] == ("delete_firewall_rule", "web", "r1")
    form = api.simulate_post("/api/firewalls/web/r2", headers={**AUTH, "Content-Type":
                                                               "application/x-www-form-urlencoded"},
                             body="_method=delete")
    assert form.status_code == 204
    assert api.simulate_get("/api/firewalls/web", params={"format": "json"}, headers=AUTH).json["firewall"][
        "rules"] == []
    assert api.simulate_delete("/api/firewalls/web/r1", headers=AUTH).status_code == 404
    assert api.simulate_delete("/api/firewalls/nope/r1", headers=AUTH).status_code == 404


def test_other_member_urls_keep_their_methods(api):
    r = api.simulate_post("/api/firewalls/web/r1", headers=AUTH)  # a rule id is not something to POST to
    assert r.status_code == 405 and r.headers["Allow"] == "DELETE, OPTIONS"
    r = api.simulate_delete("/api/instances/vm1/stop", headers=AUTH)  # declared, not offered by this driver
    assert r.status_code == 405 and r.headers["Allow"] == "OPTIONS"
    assert api.simulate_delete("/api/instances/vm1/destroy", headers=AUTH).status_code == 404  # not an action
    assert api.simulate_post("/api/addresses/10.1.1.1/associate", headers=AUTH,
                             params={"instance_id": "vm1"}).status_code == 405


def test_delete_rule_unsupported_is_405(walls):
    client = falcon.testing.TestClient(create_app(ServerConfig(driver="norules")))
    client.simulate_post("/api/firewalls", headers=AUTH, params={"name": "w", "description": "d"})
    client.simulate_post("/api/firewalls/w/rules", headers=AUTH, params={"protocol": "icmp", "group1": "w"})
    r = client.simulate_delete("/api/firewalls/w/r1", headers=AUTH)
    assert r.status_code == 405 and r.headers["Allow"] == "OPTIONS"
    shown = ET.fromstring(client.simulate_get("/api/firewalls/w", headers=AUTH).content)
    assert shown.find("rules/rule").get("id") == "r1"
    assert shown.find("rules/rule/actions") is None  # no link to an operation the driver lacks


def test_firewall_shapes_in_xml_and_json(api):
    api.simulate_post("/api/firewalls/web/rules", headers=AUTH,
                      params={"protocol": "tcp", "port_from": "22", "port_to": "22", "ip_address1": "0.0.0.0/0"})
    wall = ET.fromstring(api.simulate_get("/api/firewalls/web", headers=AUTH).content)
    assert [c.tag for c in wall] == ["actions", "name", "description", "owner_id", "rules"]
    assert [(a.get("rel"), a.get("method")) for a in wall.find("actions")] == [("destroy", "delete"),
                                                                             ("add_rule", "post")]
    assert [c.tag for c in wall.find("rules/rule")] == ["actions", "allow_protocol", "port_from", "port_to",
                                                        "direction", "rule_action", "log_rule", "sources"]
    doc = api.simulate_get("/api/firewalls", headers=AUTH, params={"format": "json"}).json["firewalls"][0]
    assert (doc["id"], doc["name"], doc["description"], doc["owner_id"]) == ("web", "web", "front", "u")
    assert doc["rules"][0]["sources"] == [{"type": "address", "family": "ipv4", "address": "0.0.0.0", "prefix": "0"}]
    assert doc["rules"][0]["port_from"] == 22
    instance = ET.fromstring(api.simulate_get("/api/instances/vm1", headers=AUTH).content)
    assert [f.get("id") for f in instance.findall("firewalls/firewall")] == ["web"]


def test_html_firewall_page_has_the_rule_form(api):
    page = api.simulate_get("/api/firewalls/web", headers={**AUTH, "Accept": "text/html"}).text
    assert 'action="http://falconframework.org/api/firewalls/web/rules"' in page
    for field in ("protocol", "port_from", "port_to", "ip_address", "group", "group_owner"):
        assert f'name="{field}"' in page, field


def test_addresses_and_metrics_render(api):
    addresses = ET.fromstring(api.simulate_get("/api/addresses", headers=AUTH).content)
    free, used = addresses.findall("address")
    assert [c.tag for c in free] == ["ip"] and [c.tag for c in used] == ["ip", "instance"]  # no actions offered
    assert used.find("instance").get("id") == "vm1"
    metric = ET.fromstring(api.simulate_get("/api/metrics/vm1", headers=AUTH).content)
    assert metric.findtext("entity") == "vm1"
    cpu = metric.find("properties/cpuUtilization")
    assert cpu.findtext("unit") == "Percent"
    assert [(p.get("name"), p.get("value")) for p in cpu.find("sample")] == [
        ("timestamp", "2024-01-01T00:00:00Z"), ("average", "1.5"), ("maximum", "3"), ("unit", "Percent")]
    assert metric.find("properties/property").get("name") == "odd name"
    doc = api.simulate_get("/api/metrics/vm1", headers=AUTH, params={"format": "json"}).json["metric"]
    assert doc["properties"][0]["samples"] == [{"timestamp": "2024-01-01T00:00:00Z", "average": 1.5, "maximum": 3}]
    assert doc["properties"][0]["values"] == [{"timestamp": "2024-01-01T00:00:00Z", "average": 1.5, "maximum": 3,
                                               "unit": "Percent"}]  # 1.1's shape


def test_openapi_and_docs_describe_the_rule_routes(api):
    doc = api.simulate_get("/api/openapi.json", headers=AUTH).json
    assert "delete" in doc["paths"]["/firewalls/{id}/{rule_id}"]
    add = doc["paths"]["/firewalls/{id}/rules"]["post"]
    schema = add["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["protocol"]["enum"] == ["tcp", "udp", "icmp"] and schema["required"] == ["protocol"]
    assert "201" in add["responses"] and add["responses"]["409"]["description"] == "the firewall has that rule already"
    docs = api.simulate_get("/api/docs/firewalls", headers=AUTH)
    assert docs.status_code == 200 and "rule_id" in docs.text
    assert "409 when an instance is in the firewall" in docs.text


def test_rule_helpers_directly():
    assert ports("tcp", 0, 65535) == (0, 65535)
    assert ports("icmp", None, None) == (-1, -1)
    assert address_source(" 10.1.0.0/16 ") == RuleSource("address", "10.1.0.0", "16", "ipv4")
    with pytest.raises(ValidationError, match=re.escape("did you mean 10.0.0.0/8")):
        address_source("10.0.0.1/8")
    assert rule_sources({"ip_address": ("1.2.3.4", "1.2.3.4/32")}) == (RuleSource("address", "1.2.3.4", "32"),)
    with pytest.raises(ValidationError):
        rule_sources({"group": (" ",)})
