"""Docs and OpenAPI are derived from the same description as routes and validation."""

import defusedxml.ElementTree as ET


def test_openapi_describes_the_drivers_operations(client):
    r = client.simulate_get("/api/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"][0]["url"].endswith("/api")
    paths = doc["paths"]
    create = paths["/instances"]["post"]
    body = create["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert body["required"] == ["image_id"]
    assert {"image_id", "realm_id", "hwp_id", "hwp_cpu", "name"} <= set(body["properties"])  # name: user_name
    assert "201" in create["responses"]
    assert "/instances/{id}/stop" in paths and "/instances/{id}/start" in paths
    assert "/instances/{id}/reboot" not in paths  # the tiny driver cannot reboot
    assert "/keys" not in paths  # nor has it keys
    index_params = {p["name"] for p in paths["/instances"]["get"]["parameters"]}
    assert {"state", "realm_id"} <= index_params  # realm_id from the realm_filter feature
    assert paths["/instance_states"]["get"]["security"] == []


def test_html_docs_list_collections_and_parameters(client):
    r = client.simulate_get("/api/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "POST /api/instances" in r.text and "image_id" in r.text
    one = client.simulate_get("/api/docs/instances")
    assert one.status_code == 200 and 'id="instances-create"' in one.text and 'id="realms"' not in one.text
    missing = client.simulate_get("/api/docs/keys")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).get("status") == "404"
