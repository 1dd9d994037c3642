"""Instances end to end: create with each image, realm and profile, show, list, destroy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import Machine, items_of, ref_id
from deltacloud_conformance.lifecycle import Instances, Settings

__all__ = ["TestInstanceCreate", "TestInstanceDestroy"]


def check_created(root: Any, params: dict[str, str], machine: Machine) -> list[str]:
    """What is wrong with a new instance's document, given the launch parameters."""
    problems = []
    for tag, param in (("image", "image_id"), ("realm", "realm_id"), ("hardware_profile", "hwp_id")):
        got = ref_id(root, tag)
        if not got:
            problems.append(f"no <{tag} id>")
        elif param in params and got != params[param]:
            problems.append(f"{tag} is {got!r}, asked for {params[param]!r}")
    state = (root.findtext("state") or "").strip()
    initial = set()
    for t in machine.transitions:
        if t.source == "start":
            initial |= machine.settles_into(t.target)
    if state != state.upper() or state.lower() not in initial:
        problems.append(f"state {state!r} is not one a new instance can be in ({sorted(s.upper() for s in initial)})")
    return problems


class TestInstanceCreate:
    """``POST /api/instances``: 201, Location, the instance as asked for."""

    area = "instances"

    def test_create_with_each_combination(self, dc_instances: Instances, dc_offer: Offer, dc_machine: Machine,
                                          dc_settings: Settings) -> None:
        combos = [{"image_id": dc_offer.images[0].id}, *dc_offer.combinations(max(dc_settings.max_launches - 1, 1))]
        failures = []
        for params in combos:
            response = dc_instances.create(params)
            if response.status != 201:
                failures.append(f"{params}: {response.describe()}")
                continue
            root = response.xml()
            problems = check_created(root, params, dc_machine)
            if response.header("location") != root.get("href"):
                problems.append(f"Location {response.header('location')!r} is not the href {root.get('href')!r}")
            if problems:
                failures.append(f"{params}: {'; '.join(problems)}")
            dc_instances.destroy(root.get("id"))
        assert not failures, f"{len(failures)} of {len(combos)} launches went wrong:\n" + "\n".join(failures)

    def test_shown_and_listed(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer) -> None:
        params = dc_offer.any_launch()
        created = dc_instances.launch(params)
        id = created.get("id")
        shown = dc_api.get(created.get("href")).expect(200).xml()
        assert shown.get("id") == id and shown.findtext("name") == created.findtext("name")
        assert ref_id(shown, "image") == params["image_id"]
        listed = [i.get("id") for i in items_of(dc_api.xml("/instances"), "instances")]
        assert id in listed, f"new instance {id} is not listed"

    @pytest.mark.dc_extension("conditional-get")
    def test_a_new_instance_is_in_a_pollers_next_answer(self, dc_api: DeltacloudApi, dc_instances: Instances,
                                                         dc_offer: Offer) -> None:
        """A poller's ``If-None-Match`` with the listing's ETag: 304s while nothing changes, the listing after a launch.

        A server may answer such polls without listing (from a version the driver offers); a
        launch must still show in the very next answer.
        """
        etag = dc_api.get("/instances").expect(200).header("etag")
        for _ in range(3):
            polled = dc_api.get("/instances", headers={"If-None-Match": etag})
            if polled.status == 200:  # the listing moved on by itself (a cloud's own transitions)
                etag = polled.header("etag")
            else:
                polled.expect(304)
        created = dc_instances.launch(dc_offer.any_launch())
        answer = dc_api.get("/instances", headers={"If-None-Match": etag}).expect(200)
        listed = [i.get("id") for i in items_of(answer.xml(), "instances")]
        assert created.get("id") in listed, f"new instance {created.get('id')} is not in the poller's next answer"

    def test_create_in_json(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer) -> None:
        response = dc_instances.create(dc_offer.any_launch(), fmt="json").expect(201)
        doc = response.json()
        assert isinstance(doc.get("instance"), dict), f"JSON create is not {{'instance': {{...}}}}: {doc!r:.300}"
        assert response.header("location") == doc["instance"].get("href")

    @pytest.mark.dc_extension("json-request-bodies")
    def test_create_from_a_json_body(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer) -> None:
        params = dc_offer.any_launch()
        response = dc_api.post("/instances", body=json.dumps(params).encode(),
                               headers={"Content-Type": "application/json"})
        dc_instances.tracker.track_created(response, "instances")
        assert ref_id(response.expect(201).xml(), "image") == params["image_id"]

    def test_create_with_parameters_in_the_query_string(self, dc_api: DeltacloudApi, dc_instances: Instances,
                                                        dc_offer: Offer) -> None:
        params = dc_offer.any_launch()
        response = dc_api.post("/instances", params=params)
        dc_instances.tracker.track_created(response, "instances")
        assert ref_id(response.expect(201).xml(), "realm") == params["realm_id"]


class TestInstanceDestroy:
    """Destroy: 204, then the instance is gone (404) or FINISH, and no longer listed as alive."""

    area = "instances"

    def test_destroy(self, dc_api: DeltacloudApi, dc_instances: Instances, dc_offer: Offer) -> None:
        id = dc_instances.launch(dc_offer.any_launch()).get("id")
        state = (dc_instances.wait_stable(id).findtext("state") or "").strip()
        path = dc_instances.path_to_destroy(state)
        assert path, f"instance {id} is {state}: no sequence of actions leads to destroy"
        for action in path[:-1]:
            dc_instances.act(id, action).expect(202)
            dc_instances.wait_stable(id)
        response = dc_instances.act(id, "destroy").expect(204)
        assert response.content == b"", "a 204 must not carry a body"
        dc_instances.tracker.forget("instances", id)
        dc_instances.wait_gone(id)
        alive = [i.get("id") for i in items_of(dc_api.xml("/instances"), "instances")
                 if (i.findtext("state") or "").upper() != "FINISH"]
        assert id not in alive, f"destroyed instance {id} is still listed"
