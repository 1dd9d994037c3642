"""The kit's own parts: state machine reading, destroy paths, launch combinations, created ids, coverage."""

from __future__ import annotations

import inspect

import pytest

from deltacloud.api.features import CATALOGUE
from deltacloud_conformance import suite
from deltacloud_conformance.choices import ImageInfo, Offer, Profile, Property, compatible
from deltacloud_conformance.client import ApiResponse
from deltacloud_conformance.documents import Machine, Transition
from deltacloud_conformance.lifecycle import Instances, Settings
from deltacloud_conformance.requirements import requires_collection
from deltacloud_conformance.tracker import Tracker, created_ids

EC2_LIKE = Machine((
    Transition("start", "pending", None), Transition("pending", "running", None),
    Transition("running", "running", "reboot"), Transition("running", "stopping", "stop"),
    Transition("stopping", "stopped", None), Transition("stopped", "running", "start"),
    Transition("stopped", "finish", "destroy"),
))


def _instances(machine: Machine) -> Instances:
    return Instances(None, machine, Tracker(None), Settings())  # type: ignore[arg-type]


def test_machine_reading() -> None:
    assert EC2_LIKE.actions_for("RUNNING") == ("reboot", "stop")
    assert EC2_LIKE.settles_into("pending") == {"pending", "running"}
    assert EC2_LIKE.is_transient("stopping") and not EC2_LIKE.is_transient("stopped")
    assert EC2_LIKE.client_actions() == ("reboot", "stop", "start", "destroy")


def test_path_to_destroy_stops_first() -> None:
    assert _instances(EC2_LIKE).path_to_destroy("RUNNING") == ["stop", "destroy"]
    assert _instances(EC2_LIKE).path_to_destroy("stopped") == ["destroy"]
    no_way_out = Machine((Transition("start", "running", "create"),))
    assert _instances(no_way_out).path_to_destroy("running") is None


def _profile(id: str, arch: str) -> Profile:
    return Profile(id, {"architecture": Property("architecture", "fixed", arch)})


def test_compatibility_by_list_then_architecture() -> None:
    small, big = _profile("small", "i386"), _profile("big", "x86_64")
    assert compatible(ImageInfo("a", "x86_64", ()), big) and not compatible(ImageInfo("a", "x86_64", ()), small)
    assert compatible(ImageInfo("b", "x86_64", ("small",)), small)
    assert compatible(ImageInfo("c", "", ()), small)


def test_combinations_full_then_covering() -> None:
    profiles = tuple(_profile(f"p{i}", "x86_64") for i in range(4))
    offer = Offer(tuple(ImageInfo(f"i{i}", "x86_64", ()) for i in range(5)), ("r1", "r2", "r3"), profiles)
    assert len(offer.combinations(100)) == 60
    few = offer.combinations(6)
    assert len(few) <= 6
    assert {c["image_id"] for c in few} == {f"i{i}" for i in range(5)}
    assert {c["realm_id"] for c in few} == {"r1", "r2", "r3"}
    assert {c["hwp_id"] for c in few} == {f"p{i}" for i in range(4)}


def _response(body: str, media: str = "application/xml", status: int = 201) -> ApiResponse:
    return ApiResponse("POST", "http://x/api/instances", status, {"content-type": media}, body.encode())


def test_created_ids_from_xml_and_json() -> None:
    assert created_ids(_response("<instance id='i1' href='h'/>"), "instances") == ["i1"]
    assert created_ids(_response("<instances><instance id='a'/><instance id='b'/></instances>"), "instances") == [
        "a", "b"]
    assert created_ids(_response('{"instance": {"id": "j1"}}', "application/json"), "instances") == ["j1"]
    assert created_ids(_response('{"instances": [{"id": "x"}, {"id": "y"}]}', "application/json"),
                       "instances") == ["x", "y"]
    assert created_ids(_response("not xml"), "instances") == []


def test_every_catalogue_feature_has_a_test() -> None:
    tested = set()
    for name in suite.__all__:
        for _, method in inspect.getmembers(getattr(suite, name), inspect.isfunction):
            for mark in getattr(method, "pytestmark", []):
                if mark.name == "dc_requires" and mark.kwargs.get("feature"):
                    tested.add(mark.kwargs["feature"])
    assert set(CATALOGUE) - tested == set(), "features of the catalogue the suite does not exercise"


def test_base_collections_cannot_be_required() -> None:
    with pytest.raises(ValueError, match="never be skipped"):
        requires_collection("instances")


def test_failure_reasons_prefer_the_server() -> None:
    from deltacloud_conformance.report import reason

    quoted = "E   got: GET /api/x -> 501\nE   <message><![CDATA[TODO Driver.realms(): write it]]></message>"
    assert reason(quoted) == "TODO Driver.realms(): write it"
    logged = "E   <message><![CDATA[Internal server error]]></message>\nE   server log:\nE   boom: KeyError: 'k'"
    assert reason(logged) == "boom: KeyError: 'k'"
    assert reason("E   AssertionError: asked for name 'a', got 'b'\nE   assert 1") == (
        "AssertionError: asked for name 'a', got 'b'")
    assert len(reason("E   " + "x" * 500)) <= 110


@pytest.mark.parametrize("doc", [
    [], "text", {"api": []}, {"api": {"links": ["rel"]}}, {"api": {"links": [{"rel": "x"}]}},
    {"api": {"links": [{"rel": "x", "href": "h", "features": "name"}]}},
    {"api": {"links": [{"rel": "x", "href": "h", "features": [["name"]]}]}},
])
def test_unexpected_entry_points_fail_with_an_assertion(doc: object) -> None:
    """A server's odd JSON is a failed assertion naming what is wrong, never an AttributeError or TypeError."""
    from deltacloud_conformance.documents import entry_point_from_json

    with pytest.raises(AssertionError):
        entry_point_from_json(doc)


@pytest.mark.parametrize(("doc", "collection"), [
    ([], "realms"), ({"realms": {}}, "realms"), ({"realms": ["r1"]}, "realms"), ({"mock": "Mock"}, "drivers"),
])
def test_unexpected_listings_fail_with_an_assertion(doc: object, collection: str) -> None:
    from deltacloud_conformance.documents import json_items

    with pytest.raises(AssertionError):
        json_items(doc, collection)


def test_both_json_shapes_of_features_and_drivers_are_read() -> None:
    from deltacloud_conformance.documents import entry_point_from_json, json_items

    old = {"api": {"driver": "mock", "links": [{"rel": "instances", "href": "h", "features": [
        [{"name": "user_name", "rel": "create", "params": ["name:string:optional"], "constraints": {}}]]}]}}
    new = {"api": {"driver": "mock", "links": [{"rel": "instances", "href": "h", "features": [
        {"name": "user_name", "rel": "create", "params": ["name"], "constraints": {}}]}]}}
    assert entry_point_from_json(old).features == entry_point_from_json(new).features
    assert entry_point_from_json(old).features[0].params == ("name",)
    assert json_items({"mock": {"name": "Mock"}}, "drivers") == [{"id": "mock", "name": "Mock"}]
    assert json_items({"drivers": [{"id": "mock"}]}, "drivers") == [{"id": "mock"}]
