"""Capabilities per provider: the tiny driver's ``offers()`` narrows what one provider shows.

The ``/lite`` edition of the loopback cloud has no keys and takes no files: ``/api``, ``OPTIONS``,
``/api/docs``, ``/api/openapi.json`` and the HTML create form follow, and the keys collection is
a 404 there, without a call to the cloud. The full edition, on the same server process, keeps all.
"""

from __future__ import annotations

import re

import pytest
import requests

JSON = {"Accept": "application/json"}
TIMEOUT = 30
FILES = {"user_files", "user_iso"}


@pytest.fixture
def editions(start_app, cloud) -> dict[str, str]:
    """The API of the full edition and of the lite one (the operator's provider ends in ``/lite/``)."""
    return {"full": start_app(), "lite": start_app(provider=cloud.url + "lite/")}


def entry_point(url: str) -> tuple[set[str], set[str]]:
    """The collections ``/api`` links and the features it lists for instances."""
    links = requests.get(url, headers=JSON, timeout=TIMEOUT).json()["api"]["links"]
    instances = next(link for link in links if link["rel"] == "instances")
    return {link["rel"] for link in links}, {f["name"] for f in instances["feature_details"]}


def create_params(url: str) -> set[str]:
    """The parameters ``OPTIONS /api/instances/create`` lists."""
    response = requests.options(f"{url}/instances/create", timeout=TIMEOUT)
    assert response.status_code == 200
    return {item.split(":")[0] for item in response.headers["Allow"].split(",")}


def test_the_entry_point_follows_the_provider(editions) -> None:
    collections, features = entry_point(editions["full"])
    assert "keys" in collections and features == {"user_name", "user_files", "user_iso"}
    collections, features = entry_point(editions["lite"])
    assert "keys" not in collections and {"instances", "images", "realms"} <= collections
    assert features == {"user_name"}


def test_options_follow_the_provider(editions) -> None:
    assert create_params(editions["full"]) >= FILES
    assert not FILES & create_params(editions["lite"]) and "name" in create_params(editions["lite"])
    assert "POST" in requests.options(f"{editions['full']}/keys", timeout=TIMEOUT).headers["Allow"]
    assert requests.options(f"{editions['lite']}/keys", timeout=TIMEOUT).status_code == 404
    assert requests.options(f"{editions['lite']}/keys/k1", timeout=TIMEOUT).status_code == 404


def test_docs_and_openapi_follow_the_provider(editions) -> None:
    full, lite = editions["full"], editions["lite"]
    assert f"{full}/docs/keys" in requests.get(f"{full}/docs", timeout=TIMEOUT).text
    assert "/docs/keys" not in requests.get(f"{lite}/docs", timeout=TIMEOUT).text
    assert requests.get(f"{lite}/docs/keys", timeout=TIMEOUT).status_code == 404
    for name in FILES:
        assert name in requests.get(f"{full}/docs/instances/create", timeout=TIMEOUT).text
        assert name not in requests.get(f"{lite}/docs/instances/create", timeout=TIMEOUT).text
    for url, offered in ((full, True), (lite, False)):
        spec = requests.get(f"{url}/openapi.json", timeout=TIMEOUT).json()
        assert ("/keys" in spec["paths"]) is offered
        form = spec["paths"]["/instances"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert (set(form["properties"]) >= FILES) is offered


def test_the_create_form_follows_the_provider(editions, alice) -> None:
    for name, offered in (("full", True), ("lite", False)):
        page = requests.get(f"{editions[name]}/instances", auth=alice, headers={"Accept": "text/html"},
                            timeout=TIMEOUT)
        assert page.status_code == 200
        fields = set(re.findall(r'name="([a-z_]+)"', page.text))
        assert "name" in fields and (fields >= FILES) is offered


def test_a_narrowed_away_collection_is_a_404_without_a_backend_call(editions, cloud, alice) -> None:
    lite = editions["lite"]
    for method in ("GET", "POST"):
        response = requests.request(method, f"{lite}/keys", auth=alice, headers=JSON, data={"name": "k"},
                                    timeout=TIMEOUT)
        assert response.status_code == 404
        assert response.json()["message"] == "Collection 'keys' is not supported by driver 'tiny'"
    assert requests.delete(f"{lite}/keys/k1", auth=alice, headers=JSON, timeout=TIMEOUT).status_code == 404
    assert cloud.count() == 0
    assert requests.get(f"{editions['full']}/keys", auth=alice, headers=JSON, timeout=TIMEOUT).status_code == 200
    assert cloud.routes() == ["GET /keys"]


def test_a_narrowed_away_feature_does_not_reach_the_driver(editions, cloud, kit, alice) -> None:
    response = requests.post(f"{editions['lite']}/instances", auth=alice, headers=JSON, timeout=TIMEOUT,
                             data={"image_id": "img1", "name": "web", "user_iso": "aXNv"})
    assert response.status_code == 201, response.text
    assert "user_iso" in response.headers.get("Warning", "")  # ignored, and the client is told so
    assert kit.LAUNCHES[-1].user_iso is None
    assert next(iter(cloud.servers.values()))["iso"] is None
