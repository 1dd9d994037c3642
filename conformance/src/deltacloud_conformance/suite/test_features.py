"""Features: the advertised set is the pinned one, and each advertised feature has an observable effect.

Each feature of the catalogue has a test here, run only when ``/api`` advertises the feature.
Where the API cannot show the effect (user data, sandboxing…), the test checks that the
parameter is accepted and says so in its docstring.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import EntryPoint, items_of, ref_id, xml_actions
from deltacloud_conformance.keys import public_key_text
from deltacloud_conformance.lifecycle import Instances
from deltacloud_conformance.requirements import missing, requires_feature, skip_unless_allowed
from deltacloud_conformance.tracker import Tracker

__all__ = ["TestAdvertisedFeatures", "TestImageFeatures", "TestInstanceFeatures", "TestOtherFeatures"]


class TestAdvertisedFeatures:
    """A driver pins the features it advertises, so advertising nothing cannot pass."""

    area = "features"

    def test_advertised_features_are_the_expected_ones(self, dc_entry: EntryPoint, dc_api: DeltacloudApi,
                                                       dc_expected_features: frozenset[str] | None) -> None:
        advertised = dc_entry.feature_names
        if dc_expected_features is None:
            if dc_api.live:
                pytest.skip("no expected feature set given (--deltacloud-expect-features); advertised: "
                            f"{', '.join(sorted(advertised)) or 'none'}")
            pytest.fail("pin the features your driver advertises: define the dc_expected_features fixture in "
                        f"conftest.py returning {sorted(advertised)!r} (or the set you mean to advertise)",
                        pytrace=False)
        expected = set(dc_expected_features)
        assert advertised == expected, (
            f"advertised but not expected: {sorted(advertised - expected)}; "
            f"expected but not advertised: {sorted(expected - advertised)}")


def _create_key(api: DeltacloudApi, tracker: Tracker, name: str) -> str:
    skip_unless_allowed(api.request("OPTIONS", "/keys").header("allow"), "POST", "/api/keys")
    response = api.post("/keys", data={"name": name})
    tracker.track_created(response, "keys")
    return response.expect(201).xml().get("id")


def authentication(root: Any) -> tuple[str, dict[str, str]]:
    """An instance's ``<authentication type>`` and its ``<login>`` children."""
    auth = root.find("authentication")
    if auth is None:
        return "", {}
    return auth.get("type") or "", {c.tag: (c.text or "").strip() for c in auth.findall("login/*")}


class TestInstanceFeatures:
    """Features of ``POST /api/instances`` and of the instance listing."""

    area = "features"

    @pytest.fixture
    def keyname(self, dc_api: DeltacloudApi, dc_entry: EntryPoint, dc_tracker: Tracker, dc_keyname: str | None,
                    dc_unique: Callable[[str], str]) -> str:
        """A key to launch with: ``dc_keyname``, else one created through ``/api/keys`` (destroyed afterwards)."""
        if dc_keyname:
            return dc_keyname
        if not dc_entry.has("keys"):
            pytest.skip("no key to launch with: the driver has no keys collection and dc_keyname is not set")
        return _create_key(dc_api, dc_tracker, dc_unique("key"))

    @requires_feature("user_name")
    def test_user_name_is_echoed(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer,
                                 dc_entry: EntryPoint, dc_unique: Callable[[str], str]) -> None:
        feature = dc_entry.feature("user_name")
        limit = int(feature.constraints.get("max_length", 64)) if feature else 64
        name = dc_unique("vm")[-limit:]
        created = dc_instances.launch({**dc_offer.any_launch(), "name": name})
        assert created.findtext("name") == name, f"asked for name {name!r}, got {created.findtext('name')!r}"
        assert dc_api.xml(created.get("href")).findtext("name") == name

    @requires_feature("authentication_key")
    def test_keyname_is_in_the_authentication(self, dc_instances: Instances, dc_offer: Offer, keyname: str) -> None:
        created = dc_instances.launch({**dc_offer.any_launch(), "keyname": keyname})
        kind, login = authentication(dc_instances.show(created.get("id")).expect(200).xml())
        assert (kind, login.get("keyname")) == ("key", keyname), (
            f"launched with keyname {keyname!r}; the instance shows authentication {kind!r} {login}")

    @requires_feature("authentication_password")
    def test_password_authentication(self, dc_instances: Instances, dc_offer: Offer) -> None:
        created = dc_instances.launch({**dc_offer.any_launch(), "password": "Dcconf-Pa55word!"})
        kind, _login = authentication(created)
        assert kind == "password", f"launched with a password; the instance shows authentication {kind!r}"

    @requires_feature("realm_filter")
    def test_realm_filter_filters(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer) -> None:
        params = dc_offer.any_launch()
        id = dc_instances.launch(params).get("id")
        inside = items_of(dc_api.xml("/instances", params={"realm_id": params["realm_id"]}), "instances")
        assert id in [i.get("id") for i in inside], f"realm_id={params['realm_id']} does not list {id}"
        strays = [i.get("id") for i in inside if ref_id(i, "realm") != params["realm_id"]]
        assert not strays, f"realm_id={params['realm_id']} lists instances of other realms: {strays}"
        for other in [r for r in dc_offer.realms if r != params["realm_id"]][:1]:
            elsewhere = items_of(dc_api.xml("/instances", params={"realm_id": other}), "instances")
            assert id not in [i.get("id") for i in elsewhere], f"realm_id={other} lists {id} of {params['realm_id']}"

    @requires_feature("user_data")
    def test_user_data_is_accepted(self, dc_instances: Instances, dc_offer: Offer) -> None:
        """The API does not show user data: this checks a launch with it succeeds."""
        data = base64.b64encode(b"#!/bin/sh\necho dcconf\n").decode()
        dc_instances.launch({**dc_offer.any_launch(), "user_data": data})

    @requires_feature("user_data")
    def test_user_data_reaches_the_cloud(self, dc_instances: Instances, dc_offer: Offer,
                                         dc_user_data_reader: Callable[[str], bytes | None] | None) -> None:
        if dc_user_data_reader is None:
            pytest.skip("the API does not show user data; define dc_user_data_reader to read it from the cloud")
        payload = b"#cloud-config\n# dcconf\n"
        created = dc_instances.launch({**dc_offer.any_launch(), "user_data": base64.b64encode(payload).decode()})
        assert dc_user_data_reader(created.get("id")) == payload

    @requires_feature("instance_count")
    def test_instance_count_launches_several(self, dc_instances: Instances, dc_offer: Offer) -> None:
        response = dc_instances.create({**dc_offer.any_launch(), "instance_count": "2"}).expect(201)
        root = response.xml()
        assert root.tag == "instances", f"instance_count=2 answered <{root.tag}>, not a list: {response.describe()}"
        ids = [i.get("id") for i in root.findall("instance")]
        assert len(set(ids)) == 2, f"instance_count=2 launched {ids}"

    @requires_feature("firewalls")
    def test_firewalls_are_applied(self, dc_api: DeltacloudApi, dc_entry: EntryPoint, dc_instances: Instances,
                                   dc_offer: Offer) -> None:
        reason = missing(dc_entry, collection="firewalls")
        assert reason is None, f"the driver advertises the feature 'firewalls' but {reason}"
        groups = items_of(dc_api.xml("/firewalls"), "firewalls")
        assert groups, "the driver advertises the feature 'firewalls' but lists no firewall"
        wanted = groups[0].get("id")
        created = dc_instances.launch({**dc_offer.any_launch(), "firewalls1": wanted})
        shown = dc_api.xml(created.get("href"))
        applied = [f.get("id") for f in shown.findall("firewalls/firewall")]
        assert wanted in applied, f"launched in firewall {wanted!r}; the instance shows {applied}"

    @requires_feature("metrics")
    def test_metrics_parameter_is_accepted(self, dc_instances: Instances, dc_offer: Offer) -> None:
        """Turning on metrics has no effect the instance shows: this checks the launch succeeds."""
        dc_instances.launch({**dc_offer.any_launch(), "metrics": "true"})

    @requires_feature("sandboxing")
    def test_sandbox_parameter_is_accepted(self, dc_instances: Instances, dc_offer: Offer) -> None:
        """A sandboxed instance looks like any other: this checks the launch succeeds."""
        dc_instances.launch({**dc_offer.any_launch(), "sandbox": "true"})

    @requires_feature("user_files")
    def test_user_files_are_accepted(self, dc_instances: Instances, dc_offer: Offer) -> None:
        """Injected files are not visible through the API: this checks the launch succeeds."""
        dc_instances.launch({**dc_offer.any_launch(), "user_files": "/etc/dcconf=ZGNjb25m"})

    @requires_feature("user_iso")
    def test_user_iso_is_accepted(self, dc_instances: Instances, dc_offer: Offer) -> None:
        """The ISO is not visible through the API: this checks a launch with a tiny gzipped file succeeds."""
        import gzip

        iso = base64.b64encode(gzip.compress(b"\0" * 2048)).decode()
        dc_instances.launch({**dc_offer.any_launch(), "user_iso": iso})

    @requires_feature("register_to_load_balancer")
    def test_instance_joins_the_load_balancer(self, dc_api: DeltacloudApi, dc_entry: EntryPoint,
                                              dc_instances: Instances, dc_offer: Offer,
                                              dc_unique: Callable[[str], str]) -> None:
        reason = missing(dc_entry, collection="load_balancers")
        assert reason is None, f"the driver advertises 'register_to_load_balancer' but {reason}"
        launch = dc_offer.any_launch()
        skip_unless_allowed(dc_api.request("OPTIONS", "/load_balancers").header("allow"), "POST",
                            "/api/load_balancers (to make a load balancer to join)")
        response = dc_api.post("/load_balancers", data={
            "name": dc_unique("lb"), "realm_id": launch["realm_id"], "listener_protocol": "HTTP",
            "listener_balancer_port": "80", "listener_instance_port": "8080"})
        dc_instances.tracker.track_created(response, "load_balancers")
        wanted = response.expect(201).xml().get("id")
        created = dc_instances.launch({**launch, "load_balancer_id": wanted})
        members = [i.get("id") for i in dc_api.xml(f"/load_balancers/{wanted}").findall("instances/instance")]
        assert created.get("id") in members, f"the new instance is not registered with {wanted}: {members}"

    @requires_feature("attach_snapshot")
    def test_snapshot_is_attached(self, dc_api: DeltacloudApi, dc_entry: EntryPoint, dc_instances: Instances,
                                  dc_offer: Offer) -> None:
        reason = missing(dc_entry, collection="storage_snapshots")
        assert reason is None, f"the driver advertises 'attach_snapshot' but {reason}"
        snapshots = items_of(dc_api.xml("/storage_snapshots"), "storage_snapshots")
        if not snapshots:
            pytest.skip("no storage snapshot exists to attach to a new instance")
        created = dc_instances.launch({**dc_offer.any_launch(), "snapshot_id": snapshots[0].get("id"),
                                       "device_name": "/dev/sdf"})
        root = dc_instances.wait_stable(created.get("id"))
        assert root.findall("storage_volumes/storage_volume"), "launched with a snapshot; no volume is attached"


class TestImageFeatures:
    """Features of the image collection."""

    area = "features"

    @requires_feature("owner_id")
    def test_owner_filter(self, dc_api: DeltacloudApi) -> None:
        images = items_of(dc_api.xml("/images"), "images")
        owner = (images[0].findtext("owner_id") or "").strip()
        mine = items_of(dc_api.xml("/images", params={"owner_id": owner}), "images")
        assert mine and all((i.findtext("owner_id") or "").strip() == owner for i in mine), (
            f"owner_id={owner} listed {[(i.get('id'), i.findtext('owner_id')) for i in mine]}")
        assert items_of(dc_api.xml("/images", params={"owner_id": "dcconf-nobody"}), "images") == []

    def _image_from_instance(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer,
                             **params: str) -> Any:
        id = dc_instances.launch(dc_offer.any_launch()).get("id")
        root = dc_instances.wait_stable(id)
        assert "create_image" in xml_actions(root), (
            "the driver advertises an image creation feature but its instances offer no create_image action")
        response = dc_api.post("/images", data={"instance_id": id, **params})
        dc_instances.tracker.track_created(response, "images")
        return response.expect(201).xml()

    @requires_feature("image_name")
    def test_image_name_is_echoed(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer,
                                  dc_unique: Callable[[str], str]) -> None:
        name = dc_unique("img")
        image = self._image_from_instance(dc_api, dc_instances, dc_offer, name=name)
        assert image.findtext("name") == name, f"asked for image name {name!r}, got {image.findtext('name')!r}"

    @requires_feature("image_description")
    def test_image_description_is_echoed(self, dc_api: DeltacloudApi, dc_instances: Instances,
                                         dc_offer: Offer) -> None:
        image = self._image_from_instance(dc_api, dc_instances, dc_offer, description="made by dcconf")
        assert image.findtext("description") == "made by dcconf"


class TestOtherFeatures:
    """Features of keys, volumes and buckets."""

    area = "features"

    @requires_feature("import_key")
    def test_imported_key(self, dc_api: DeltacloudApi, dc_tracker: Tracker,
                          dc_unique: Callable[[str], str]) -> None:
        response = dc_api.post("/keys", data={"name": dc_unique("key"), "public_key": public_key_text()})
        dc_tracker.track_created(response, "keys")
        key = response.expect(201).xml()
        assert (key.findtext("fingerprint") or "").strip(), "an imported key has no fingerprint"
        assert key.find("pem") is None, "an imported key must not come with a generated private key"

    @requires_feature("volume_name")
    def test_volume_name_is_echoed(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_offer: Offer,
                                   dc_unique: Callable[[str], str]) -> None:
        name = dc_unique("vol")
        response = dc_api.post("/storage_volumes", data={"capacity": "1", "realm_id": dc_offer.realms[0],
                                                         "name": name})
        dc_tracker.track_created(response, "storage_volumes")
        assert response.expect(201).xml().findtext("name") == name

    @requires_feature("volume_description")
    def test_volume_description_is_echoed(self, dc_api: DeltacloudApi, dc_tracker: Tracker,
                                          dc_offer: Offer) -> None:
        response = dc_api.post("/storage_volumes", data={"capacity": "1", "realm_id": dc_offer.realms[0],
                                                         "description": "made by dcconf"})
        dc_tracker.track_created(response, "storage_volumes")
        assert response.expect(201).xml().findtext("description") == "made by dcconf"

    @requires_feature("bucket_location")
    def test_bucket_location_is_used(self, dc_api: DeltacloudApi, dc_tracker: Tracker,
                                     dc_bucket_location: str | None, dc_unique: Callable[[str], str]) -> None:
        if not dc_bucket_location:
            pytest.skip("no bucket location known; define dc_bucket_location to check bucket_location")
        response = dc_api.post("/buckets", data={"name": dc_unique("bkt"), "location": dc_bucket_location})
        dc_tracker.track_created(response, "buckets")
        bucket = response.expect(201).xml()
        shown = (bucket.findtext("location") or "").strip()
        assert shown == dc_bucket_location, f"asked for location {dc_bucket_location!r}, the bucket shows {shown!r}"
