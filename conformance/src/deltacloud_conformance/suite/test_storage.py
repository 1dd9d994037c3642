"""Storage volumes and snapshots, when advertised: create, show, attach and detach, snapshot, destroy."""

from __future__ import annotations

from typing import Any

import pytest

from deltacloud_conformance import profile as dc_profile
from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import EntryPoint, items_of, ref_id
from deltacloud_conformance.lifecycle import Instances, Settings
from deltacloud_conformance.requirements import missing, requires_collection
from deltacloud_conformance.suite.common import (
    OptionalCollectionChecks,
    act,
    action_link,
    create,
    gone,
    state,
    undoing_destroyer,
    wait_for,
)
from deltacloud_conformance.tracker import Tracker

__all__ = ["TestStorageVolumes", "TestStorageSnapshots"]  # noqa: RUF022 - the order they run in

#: The device the suite attaches volumes at.
DEVICE = "/dev/sdf"


def new_volume(api: DeltacloudApi, tracker: Tracker, settings: Settings, realm: str, **params: str) -> Any:
    """A 1 GB volume in ``realm``, tracked (detached and destroyed at teardown), once AVAILABLE."""
    tracker.destroyers.setdefault("storage_volumes", undoing_destroyer(
        api, settings, "storage_volumes", "detach", lambda v: action_link(v, "destroy") is not None, "detached"))
    volume = create(api, tracker, "storage_volumes", {"capacity": "1", "realm_id": realm, **params})
    return wait_for(api, volume.get("href"), settings, f"volume {volume.get('id')} to be AVAILABLE",
                    lambda v: state(v) == "AVAILABLE")


@requires_collection("storage_volumes")
class TestStorageVolumes(OptionalCollectionChecks):
    """``/api/storage_volumes``: block devices attached to one instance at a time."""

    area = "storage volumes"
    collection = "storage_volumes"
    required = ("name", "capacity", "state")

    @pytest.mark.dc_decision("destroy-link")
    def test_create_show_destroy(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_offer: Offer,
                                 dc_settings: Settings) -> None:
        realm = dc_offer.realms[0]
        volume = new_volume(dc_api, dc_tracker, dc_settings, realm)
        id = volume.get("id")
        capacity = (volume.findtext("capacity") or "").strip()
        assert capacity in ("1", "1.0"), f"asked for 1 GB, got {capacity!r}"
        assert ref_id(volume, "realm") in ("", realm) and (volume.findtext("realm_id") or realm) == realm
        assert id in [v.get("id") for v in items_of(dc_api.xml("/storage_volumes"), "storage_volumes")]
        act(dc_api, volume, "destroy").expect(204)
        dc_tracker.forget("storage_volumes", id)
        gone(dc_api, volume.get("href"), dc_settings)

    def test_attach_and_detach(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_instances: Instances,
                               dc_offer: Offer, dc_settings: Settings) -> None:
        launch = dc_offer.any_launch()
        instance = dc_instances.launch(launch).get("id")
        dc_instances.wait_stable(instance)
        volume = new_volume(dc_api, dc_tracker, dc_settings, launch["realm_id"])
        if action_link(volume, "attach") is None:
            assert dc_profile.current() != "1.1", (
                f"an available volume offers no attach action{dc_profile.fault('volume-actions')}")
            pytest.skip("the driver offers no attach action on an available volume")
        act(dc_api, volume, "attach", instance_id=instance, device=DEVICE).expect(202)
        attached = wait_for(dc_api, volume.get("href"), dc_settings, "the volume to be attached",
                            lambda v: ref_id(v, "mount/instance") == instance)
        assert state(attached) == "IN-USE", f"an attached volume is {state(attached)}, not IN-USE"
        mounted = dc_instances.show(instance).expect(200).xml()
        assert volume.get("id") in [v.get("id") for v in mounted.findall("storage_volumes/storage_volume")], (
            "the instance does not list the volume attached to it")
        act(dc_api, attached, "detach").expect(202)
        detached = wait_for(dc_api, volume.get("href"), dc_settings, "the volume to be detached",
                            lambda v: state(v) == "AVAILABLE")
        assert ref_id(detached, "mount/instance") == "", "a detached volume still names its instance"

    def test_attach_needs_an_instance(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_offer: Offer,
                                      dc_settings: Settings) -> None:
        volume = new_volume(dc_api, dc_tracker, dc_settings, dc_offer.realms[0])
        if action_link(volume, "attach") is None:
            pytest.skip("the driver offers no attach action on an available volume")
        act(dc_api, volume, "attach", device=DEVICE).expect(400)


@requires_collection("storage_snapshots")
class TestStorageSnapshots(OptionalCollectionChecks):
    """``/api/storage_snapshots``: copies of volumes."""

    area = "storage snapshots"
    collection = "storage_snapshots"
    @property
    def required(self) -> tuple[str, ...]:  # type: ignore[override]
        """A snapshot's children; 1.1's mock wrote no <state> (decision ``snapshot-state``)."""
        return ("name",) if dc_profile.loosened("snapshot-state") else ("name", "state")

    @pytest.mark.dc_decision("snapshot-state")
    @pytest.mark.dc_decision("destroy-link")
    def test_snapshot_a_volume(self, dc_api: DeltacloudApi, dc_entry: EntryPoint, dc_tracker: Tracker,
                               dc_offer: Offer, dc_settings: Settings) -> None:
        reason = missing(dc_entry, collection="storage_volumes")
        assert reason is None, f"snapshots are made from volumes, but {reason}"
        volume = new_volume(dc_api, dc_tracker, dc_settings, dc_offer.realms[0])
        snapshot = create(dc_api, dc_tracker, "storage_snapshots", {"volume_id": volume.get("id")})
        assert ref_id(snapshot, "storage_volume") == volume.get("id"), "the snapshot does not name its volume"
        done = wait_for(dc_api, snapshot.get("href"), dc_settings, "the snapshot to complete",
                        lambda s: state(s) == "COMPLETED" or (
                            state(s) == "" and dc_profile.loosened("snapshot-state")))
        act(dc_api, done, "destroy").expect(204)
        dc_tracker.forget("storage_snapshots", snapshot.get("id"))
        gone(dc_api, snapshot.get("href"), dc_settings)

    def test_snapshot_needs_a_volume(self, dc_api: DeltacloudApi, dc_tracker: Tracker) -> None:
        response = dc_api.post("/storage_snapshots", data={})
        dc_tracker.track_created(response, "storage_snapshots")
        assert response.status in (400, 405), f"a snapshot without volume_id: {response.describe()}"
