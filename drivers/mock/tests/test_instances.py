"""Instances: the caller's own only, filters, and every option of create."""

from __future__ import annotations

import re
import time

import pytest

from deltacloud.errors import NotFoundError, ValidationError
from deltacloud.models import Address, Instance, LaunchOptions
from deltacloud_driver_mock import lifecycle, records

SEEDED = ["inst0", "inst1", "inst2", "inst3"]


def add_foreign_instance(driver, id="other1", owner="someone-else"):
    """Put an instance of another user straight into the store."""
    doc = records.new_instance(id, name="theirs", owner=owner, image_id="img1", realm_id="us", profile_id="m1-small",
                               overrides={}, keyname=None, user_data=None, now=time.time())
    with driver.store.transaction() as tx:
        tx.insert("instances", lifecycle.create(doc, time.time(), 0.0), owner=owner)


def test_seeded_instances(driver):
    instances = {i.id: i for i in driver.instances({})}
    assert list(instances) == SEEDED
    assert all(i.owner_id == "mockuser" and i.state == "RUNNING" for i in instances.values())
    inst0 = instances["inst0"]
    assert inst0.name == "Mock Instance With Profile Change"
    assert (inst0.image_id, inst0.realm_id, inst0.hardware_profile_id) == ("img1", "us", "m1-large")
    assert inst0.hardware_profile_overrides == (("memory", "12288"),)
    assert inst0.public_addresses == (Address("img1.inst0.public.com", "hostname"),)
    assert inst0.private_addresses == (Address("img1.inst0.private.com", "hostname"),)
    assert (instances["inst1"].name, instances["inst1"].image_id) == ("MockUserInstance", "img3")
    assert (instances["inst2"].name, instances["inst2"].hardware_profile_id) == ("AnotherInstance", "m1-large")
    inst3 = instances["inst3"]
    assert (inst3.name, inst3.realm_id, inst3.create_image) == ("", "eu", False)
    assert all(instances[i].create_image for i in ("inst0", "inst1", "inst2"))


@pytest.mark.parametrize(("filters", "expected"), [
    ({"id": "inst2"}, ["inst2"]),
    ({"realm_id": "eu"}, ["inst3"]),
    ({"realm_id": "us"}, ["inst0", "inst1", "inst2"]),
    ({"state": "RUNNING"}, SEEDED),
    ({"state": "running"}, SEEDED),
    ({"state": "STOPPED"}, []),
    ({"realm_id": "eu", "id": "inst0"}, []),
    ({"id": "inst99"}, []),
])
def test_instance_filters(driver, ids, filters, expected):
    assert ids(driver.instances(filters)) == expected


def test_only_own_instances_are_visible(driver, ids):
    add_foreign_instance(driver)
    assert driver.store.get("instances", "other1")["owner_id"] == "someone-else"
    assert ids(driver.instances({})) == SEEDED
    assert driver.instances({"id": "other1"}) == []
    with pytest.raises(NotFoundError):
        driver.instance("other1")
    for action in (driver.stop_instance, driver.reboot_instance, driver.destroy_instance, driver.user_data):
        with pytest.raises(NotFoundError):
            action("other1")
    with pytest.raises(NotFoundError):
        driver.create_image("other1", "stolen")


def test_create_with_defaults(driver):
    before = int(time.time())
    inst = driver.create_instance("img2", LaunchOptions())
    assert isinstance(inst, Instance)
    assert inst.id == "inst4"
    assert (inst.image_id, inst.realm_id, inst.hardware_profile_id) == ("img2", "us", "m1-small")
    assert inst.owner_id == "mockuser"
    assert inst.state == "RUNNING"  # the storage fixture's delay is 0: the transition ends within the request
    assert re.fullmatch(r"i-\d+", inst.name) and int(inst.name[2:]) >= before
    assert inst.public_addresses == (Address("img2.inst4.public.com", "hostname"),)
    assert inst.private_addresses == (Address("img2.inst4.private.com", "hostname"),)
    assert inst.hardware_profile_overrides == () and inst.keyname == "" and inst.create_image
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", inst.launch_time)
    assert [i.id for i in driver.instances({})] == [*SEEDED, "inst4"]


def test_create_with_every_option(driver):
    options = LaunchOptions(realm_id="eu", hardware_profile_id="m1-large", name="web server",
                            hardware_profile_overrides=(("cpu", "4"), ("memory", "8192"), ("storage", "1024")),
                            keyname="test-key", user_data=b"#!/bin/sh\necho \x00\xff")
    inst = driver.create_instance("img1", options)
    shown = driver.instance(inst.id)
    for model in (inst, shown):
        assert (model.name, model.realm_id, model.hardware_profile_id, model.keyname) == (
            "web server", "eu", "m1-large", "test-key")
        assert model.hardware_profile_overrides == (("cpu", "4"), ("memory", "8192"), ("storage", "1024"))
    assert driver.user_data(inst.id) == b"#!/bin/sh\necho \x00\xff"
    assert [i.id for i in driver.instances({"realm_id": "eu"})] == ["inst3", inst.id]


def test_user_data_absent(driver):
    inst = driver.create_instance("img1", LaunchOptions())
    assert driver.user_data(inst.id) is None
    assert driver.user_data("inst0") is None


def test_create_several(driver, ids):
    created = driver.create_instance("img3", LaunchOptions(instance_count=3, name="batch"))
    assert isinstance(created, list)
    assert ids(created) == ["inst4", "inst5", "inst6"]
    assert all(i.name == "batch" and i.state == "RUNNING" for i in created)
    assert ids(driver.instances({})) == [*SEEDED, "inst4", "inst5", "inst6"]


@pytest.mark.parametrize(("image", "options", "param"), [
    ("img9", LaunchOptions(), "image_id"),
    ("img1", LaunchOptions(keyname="no-such-key"), "keyname"),
    ("img1", LaunchOptions(realm_id="mars"), "realm_id"),
    ("img1", LaunchOptions(hardware_profile_id="m9-huge"), "hwp_id"),
    ("img1", LaunchOptions(hardware_profile_id="m1-large", hardware_profile_overrides=(("memory", "99999"),)),
     "hwp_memory"),
    ("img1", LaunchOptions(hardware_profile_id="m1-large", hardware_profile_overrides=(("storage", "900"),)),
     "hwp_storage"),
    ("img1", LaunchOptions(instance_count=0), "instance_count"),
])
def test_create_refuses_bad_options(driver, ids, image, options, param):
    with pytest.raises(ValidationError) as err:
        driver.create_instance(image, options)
    assert err.value.param == param
    assert ids(driver.instances({})) == SEEDED


def test_ids_are_never_reused(driver):
    first = driver.create_instance("img1", LaunchOptions())
    driver.stop_instance(first.id)
    driver.destroy_instance(first.id)
    second = driver.create_instance("img1", LaunchOptions())
    assert (first.id, second.id) == ("inst4", "inst5")


def test_ids_skip_taken_numbers(driver):
    add_foreign_instance(driver, id="inst4")
    assert driver.create_instance("img1", LaunchOptions()).id == "inst5"
