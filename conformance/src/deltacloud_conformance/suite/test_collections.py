"""The base collections, never skipped: list, show, follow each href, ids, names, children, XML and JSON agree."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from deltacloud_conformance import profile as dc_profile
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import (
    SINGULAR,
    items_of,
    json_items,
    json_scalars,
    leaf_texts,
    machine_from_xml,
)
from deltacloud_conformance.lifecycle import Instances, check_state

# In the order they run: a star import keeps it.
__all__ = ["TestRealms", "TestHardwareProfiles", "TestImages",  # noqa: RUF022
           "TestInstanceListing", "TestInstanceStates", "TestDrivers"]

#: Most items whose show document and hrefs are checked, per collection.
MAX_SHOWN = 25
#: Fields that may legitimately change between two requests.
VOLATILE = frozenset({"state", "launch_time", "create_time", "creation_time"})


def check_items(api: DeltacloudApi, collection: str, items: list[Any], required: tuple[str, ...],
                named: bool = True) -> None:
    """Ids unique and present, hrefs canonical, required children present and (when ``named``) names not empty."""
    __tracebackhide__ = True
    ids = [item.get("id") for item in items]
    assert all(ids), f"an item of {collection} has no id attribute"
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{collection} lists ids more than once: {duplicates}"
    for item in items:
        id = item.get("id")
        assert item.get("href") == api.url(f"/{collection}/{id}"), (
            f"{collection}/{id} has href {item.get('href')!r}, not {api.url(f'/{collection}/{id}')!r}")
        absent = [tag for tag in required if item.find(tag) is None]
        assert not absent, f"{collection}/{id} lacks the child elements {absent}"
        if named and "name" in required:
            assert (item.findtext("name") or "").strip(), f"{collection}/{id} has an empty <name>"


def compare_formats(collection: str, xml_items: list[Any], json_items: list[dict[str, Any]],
                    volatile: frozenset[str] = VOLATILE, *, hrefs: bool = True) -> None:
    """The XML and JSON listings show the same objects with the same scalar values (and hrefs, unless not ``hrefs``)."""
    __tracebackhide__ = True
    by_id = {str(item.get("id")): item for item in json_items}
    assert [i.get("id") for i in xml_items] == [str(i.get("id")) for i in json_items], (
        f"{collection}: XML and JSON list different ids")
    for element in xml_items:
        item = by_id[element.get("id")]
        if hrefs or item.get("href") is not None:
            assert item.get("href") == element.get("href"), f"{collection}/{element.get('id')}: hrefs differ"
        texts, scalars = leaf_texts(element), json_scalars(item)
        differ = {k: (texts[k], scalars[k]) for k in texts.keys() & scalars.keys()
                  if k not in volatile and texts[k] != scalars[k]}
        assert not differ, f"{collection}/{element.get('id')}: XML and JSON disagree (xml, json): {differ}"


class BaseCollectionChecks:
    """Checks every base collection passes; subclasses name the collection and its required children."""

    collection: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ("name",)
    named: ClassVar[bool] = True  # whether every item's <name> must be non-empty
    volatile: ClassVar[frozenset[str]] = VOLATILE

    def listing(self, request: pytest.FixtureRequest) -> list[Any]:
        """The collection's items (a subclass may create one first); read in the test, so a failure is the test's."""
        __tracebackhide__ = True
        dc_api: DeltacloudApi = request.getfixturevalue("dc_api")
        items = items_of(dc_api.xml(f"/{self.collection}"), self.collection)
        assert items, f"/api/{self.collection} is empty: a driver must list at least one"
        return items

    def test_list(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        check_items(dc_api, self.collection, listing, self.required, self.named)

    def test_show_each_item(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        for item in listing[:MAX_SHOWN]:
            shown = dc_api.get(item.get("href")).expect(200).xml()
            assert shown.tag == SINGULAR[self.collection], f"{item.get('href')} answers <{shown.tag}>"
            assert (shown.get("id"), shown.get("href")) == (item.get("id"), item.get("href"))
            stable = {k: v for k, v in leaf_texts(item).items() if k not in self.volatile}
            shown_texts = leaf_texts(shown)
            assert {k: shown_texts.get(k) for k in stable} == stable, (
                f"{item.get('href')} shows other values than the listing")

    def test_follow_every_href(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        seen: set[str] = set()
        for item in listing[:MAX_SHOWN]:
            for element in item.iter():
                href = element.get("href")
                if not href or href in seen or element.tag in ("link", "param") or element is item:
                    continue
                seen.add(href)
                dc_api.get(href).expect(200)

    def test_filter_by_id(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        wanted = listing[-1].get("id")
        found = items_of(dc_api.xml(f"/{self.collection}", params={"id": wanted}), self.collection)
        assert [i.get("id") for i in found] == [wanted], f"?id={wanted} listed {[i.get('id') for i in found]}"

    def test_json_agrees_with_xml(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        self.listing(request)  # makes sure there is something to compare
        xml_items = items_of(dc_api.xml(f"/{self.collection}"), self.collection)
        hrefs = not (self.collection == "drivers" and dc_profile.loosened("driver-json-links"))
        compare_formats(self.collection, xml_items, json_items(dc_api.json(f"/{self.collection}"), self.collection),
                        self.volatile, hrefs=hrefs)
        one = xml_items[0].get("id")
        single = dc_api.json(f"/{self.collection}/{one}")
        singular = SINGULAR[self.collection]
        assert isinstance(single.get(singular), dict), f"JSON show is not {{{singular!r}: {{...}}}}"
        assert single[singular].get("id") == one

    def test_unknown_id_is_404(self, dc_api: DeltacloudApi) -> None:
        response = dc_api.get(f"/{self.collection}/dcconf-no-such-id").expect(404)
        root = response.xml()
        assert root.tag == "error" and root.get("status") == "404", response.describe()


class TestRealms(BaseCollectionChecks):
    """Realms: regions, zones or clusters."""

    area = "realms"

    collection = "realms"
    required = ("name", "state")


class TestHardwareProfiles(BaseCollectionChecks):
    """Hardware profiles and their fixed, range and enum properties."""

    area = "hardware profiles"

    collection = "hardware_profiles"
    required = ("name",)

    def test_properties_are_well_formed(self, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        for profile in listing:
            for prop in profile.findall("property"):
                where = f"hardware_profiles/{profile.get('id')} property {prop.get('name')!r}"
                kind = prop.get("kind")
                assert kind in ("fixed", "range", "enum"), f"{where}: kind {kind!r}"
                assert prop.get("name") and prop.get("unit") is not None and prop.get("value") is not None, where
                if kind == "range":
                    rng = prop.find("range")
                    assert rng is not None, f"{where}: a range property without <range>"
                    first, last, value = float(rng.get("first")), float(rng.get("last")), float(prop.get("value"))
                    assert first <= value <= last, f"{where}: default {value} outside {first}..{last}"
                if kind == "enum":
                    entries = [e.get("value") for e in prop.findall("enum/entry")]
                    assert entries, f"{where}: an enum property without entries"
                    assert prop.get("value") in entries, f"{where}: default {prop.get('value')} not in {entries}"
                if kind != "fixed":
                    param = prop.find("param")
                    assert param is not None and param.get("name") == f"hwp_{prop.get('name')}", (
                        f"{where}: a variable property must name its create parameter hwp_{prop.get('name')}")

    @pytest.mark.dc_extension("rich-json-properties")
    def test_properties_agree_in_json(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        by_id = {p["id"]: p for p in json_items(dc_api.json("/hardware_profiles"), "hardware_profiles")}
        for profile in listing:
            json_profile = by_id.get(profile.get("id"))
            assert json_profile is not None, f"hardware profile {profile.get('id')} missing from the JSON listing"
            values = json_profile.get("properties") or {}
            assert isinstance(values, dict), f"hardware_profiles/{profile.get('id')}: JSON properties not an object"
            details = json_profile.get("property_details")
            for prop in profile.findall("property"):
                where = f"hardware_profiles/{profile.get('id')} {prop.get('name')}"
                # 1.1: "properties" maps each property to its default value.
                assert prop.get("name") in values, f"{where}: missing from the JSON properties"
                assert str(values[prop.get("name")]) == prop.get("value"), f"{where}: JSON value differs from XML"
                if details is None or dc_profile.loosened("rich-json-properties"):
                    continue  # 1.1 had no more than the values; kinds, ranges and enums are our extension
                data = details.get(prop.get("name"))
                assert isinstance(data, dict), f"{where}: missing from the JSON property_details"
                assert (data.get("kind"), str(data.get("value")), data.get("unit")) == (
                    prop.get("kind"), prop.get("value"), prop.get("unit")), where
                if prop.get("kind") == "range":
                    rng = prop.find("range")
                    assert data.get("range") == {"first": rng.get("first"), "last": rng.get("last")}, where
                if prop.get("kind") == "enum":
                    assert [str(v) for v in data.get("enum", [])] == [e.get("value")
                                                                     for e in prop.findall("enum/entry")], where

    def test_listed_without_credentials_or_refused_with_401(self, dc_api: DeltacloudApi) -> None:
        assert dc_api.get("/hardware_profiles", auth=None).status in (200, 401)


class TestImages(BaseCollectionChecks):
    """Images instances are launched from."""

    area = "images"

    collection = "images"
    required = ("name", "description", "owner_id", "architecture", "state")


class TestInstanceListing(BaseCollectionChecks):
    """The instance listing, with one instance launched by the suite so it is never empty."""

    area = "instances"

    collection = "instances"
    required = ("name", "owner_id", "image", "realm", "state", "hardware_profile", "actions", "public_addresses",
                "private_addresses")
    named = False  # clouds let instances go unnamed (EC2 without a Name tag)

    def listing(self, request: pytest.FixtureRequest) -> list[Any]:
        """The listing after launching an instance, ours first."""
        __tracebackhide__ = True
        dc_api: DeltacloudApi = request.getfixturevalue("dc_api")
        dc_instances: Instances = request.getfixturevalue("dc_instances")
        dc_offer: Any = request.getfixturevalue("dc_offer")
        launched = dc_instances.launch(dc_offer.any_launch())
        dc_instances.wait_stable(launched.get("id"))
        response = dc_api.get("/instances").expect(200)
        items = items_of(response.xml(), "instances")
        for item in items:  # every listed instance, ours or not, in a state of the driver's machine
            check_state(dc_instances.machine, item, response)
        assert launched.get("id") in [i.get("id") for i in items], "a launched instance is not listed"
        # Other instances of the account may refer to images deleted since; check ours first.
        return sorted(items, key=lambda i: i.get("id") != launched.get("id"))

    def test_follow_every_href(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        listing = self.listing(request)
        ours = listing[0]
        for tag in ("image", "realm", "hardware_profile"):
            dc_api.get(ours.find(tag).get("href")).expect(200)
        for rel, link in ((link.get("rel"), link) for link in ours.findall("actions/link")):
            assert link.get("method") in ("post", "delete", "get"), f"action {rel} has method {link.get('method')}"
            dc_api.url(link.get("href"))  # below the entry point


class TestInstanceStates:
    """``/api/instance_states``: a well-formed machine, the same in XML and JSON, no credentials needed."""

    area = "state machine"

    ALLOWED_STATES = frozenset({"start", "pending", "running", "stopping", "stopped", "finish", "error"})
    ALLOWED_ACTIONS = frozenset({"create", "reboot", "stop", "start", "destroy"})

    def test_machine_is_well_formed(self, dc_api: DeltacloudApi) -> None:
        machine = machine_from_xml(dc_api.get("/instance_states", auth=None).expect(200).xml())
        assert set(machine.states) <= self.ALLOWED_STATES, f"unknown states {set(machine.states) - self.ALLOWED_STATES}"
        actions = {t.action for t in machine.transitions if t.action}
        assert actions <= self.ALLOWED_ACTIONS, f"unknown actions {actions - self.ALLOWED_ACTIONS}"
        assert "start" in machine.states and any(t.source == "start" for t in machine.transitions), (
            "the machine has no transition out of 'start' (how are instances created?)")
        assert "destroy" in actions, "no state allows destroy: instances could never be removed"
        reachable, todo = {"start"}, ["start"]
        while todo:
            source = todo.pop()
            for t in machine.transitions:
                if t.source == source and t.target not in reachable:
                    reachable.add(t.target)
                    todo.append(t.target)
        assert reachable == set(machine.states), f"states unreachable from start: {set(machine.states) - reachable}"

    def test_json_agrees_with_xml(self, dc_api: DeltacloudApi) -> None:
        machine = machine_from_xml(dc_api.xml("/instance_states"))
        doc = dc_api.json("/instance_states")
        states = doc.get("states", doc) if isinstance(doc, dict) else doc
        from_json = {(s["name"], t["to"], None if t.get("auto") in ("true", True) else t.get("action"))
                     for s in states for t in s.get("transitions", [])}
        assert from_json == {(t.source, t.target, t.action) for t in machine.transitions}


class TestDrivers(BaseCollectionChecks):
    """``/api/drivers``: the installed drivers, listed without credentials."""

    area = "drivers"

    collection = "drivers"
    required = ("name",)
    test_filter_by_id = None  # the drivers listing takes no filter

    @pytest.mark.dc_extension("driver-json-links")
    def test_json_agrees_with_xml(self, dc_api: DeltacloudApi, request: pytest.FixtureRequest) -> None:
        super().test_json_agrees_with_xml(dc_api, request)

    def test_listed_without_credentials(self, dc_api: DeltacloudApi) -> None:
        items_of(dc_api.get("/drivers", auth=None).expect(200).xml(), "drivers")
