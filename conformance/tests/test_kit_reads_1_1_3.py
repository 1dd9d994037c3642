"""The kit reads the original 1.1.3 server's documents as they were recorded, under the 1.1 profile.

The recording (``drivers/mock/tests/recordings/deltacloud-1.1.3-mock-xml-and-json.yml``) holds the
original server's XML and JSON for every collection. The kit's readers must take both formats and
find them in agreement, so that a run against that server fails only where the server is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from defusedxml import ElementTree

from deltacloud_conformance import profile
from deltacloud_conformance.documents import entry_point_from_json, entry_point_from_xml, items_of, json_items
from deltacloud_conformance.suite.test_collections import VOLATILE, compare_formats

RECORDING = (Path(__file__).parents[2] / "drivers" / "mock" / "tests" / "recordings"
             / "deltacloud-1.1.3-mock-xml-and-json.yml")
#: Collections recorded in XML and JSON with nothing created in between (the others changed between the two).
SAME_STATE = ("realms", "hardware_profiles", "images", "storage_snapshots", "addresses", "buckets", "drivers",
              "networks", "subnets", "network_interfaces")


def _bodies() -> dict[str, dict[str, str]]:
    """The recorded 200 answers to GETs: path -> Accept -> body."""
    found: dict[str, dict[str, str]] = {}
    for interaction in yaml.safe_load(RECORDING.read_text())["http_interactions"]:
        request, response = interaction["request"], interaction["response"]
        if request["method"] == "get" and response["status"]["code"] == 200:
            accept = (request["headers"].get("Accept") or ["none"])[0]
            found.setdefault(urlsplit(request["uri"]).path, {})[accept] = response["body"]["string"]
    return found


BODIES = _bodies() if RECORDING.exists() else {}
pytestmark = pytest.mark.skipif(not BODIES, reason=f"the 1.1.3 recording is not at {RECORDING}")


@pytest.fixture
def profile_11() -> Iterator[None]:
    profile.select("1.1")
    try:
        yield
    finally:
        profile.select(profile.DEFAULT)


def test_entry_points_agree() -> None:
    xml = entry_point_from_xml(ElementTree.fromstring(BODIES["/api"]["application/xml"]))
    as_json = entry_point_from_json(json.loads(BODIES["/api"]["application/json"]))
    assert xml.links == as_json.links and xml.features == as_json.features
    assert {"networks", "subnets", "network_interfaces"} <= set(xml.links)
    assert {f.name for f in xml.features} == {"metrics", "realm_filter", "user_name", "authentication_key"}


@pytest.mark.parametrize("collection", SAME_STATE)
def test_listings_agree_under_the_11_profile(collection: str, profile_11: None) -> None:
    docs = BODIES[f"/api/{collection}"]
    xml = items_of(ElementTree.fromstring(docs["application/xml"]), collection)
    listed = json_items(json.loads(docs["application/json"]), collection)
    hrefs = not (collection == "drivers" and profile.loosened("driver-json-links"))
    compare_formats(collection, xml, listed, VOLATILE, hrefs=hrefs)


def test_strict_profile_wants_what_we_add() -> None:
    """Under strict, 1.1's JSON drivers (no href) fail the comparison: our addition is checked."""
    docs = BODIES["/api/drivers"]
    with pytest.raises(AssertionError, match="hrefs differ"):
        compare_formats("drivers", items_of(ElementTree.fromstring(docs["application/xml"]), "drivers"),
                        json_items(json.loads(docs["application/json"]), "drivers"), VOLATILE)
