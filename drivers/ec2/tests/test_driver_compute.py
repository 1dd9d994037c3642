"""Realms, hardware profiles, images and instances at the driver level, against moto.

Every listing test creates what it expects first (with the driver or independently with
boto3) and checks that it is listed: an empty list is never a pass.
"""

from __future__ import annotations

import base64

import pytest

from deltacloud.errors import AuthenticationError, NotFoundError, ValidationError
from deltacloud.models import LaunchOptions


def test_realms_are_the_zones_of_the_region(driver, moto):
    zones = {z["ZoneName"] for z in moto.client("ec2").describe_availability_zones()["AvailabilityZones"]}
    realms = driver.realms({})
    assert {r.id for r in realms} == zones and len(zones) >= 2
    assert all(r.state == "AVAILABLE" and r.name == r.id for r in realms)
    assert [r.id for r in driver.realms({"id": "us-east-1b"})] == ["us-east-1b"]
    assert driver.realm("us-east-1a").id == "us-east-1a"
    with pytest.raises(NotFoundError):
        driver.realm("mars-1a")


def test_hardware_profiles_need_no_credentials(make_driver):
    anonymous = make_driver(None)
    profiles = anonymous.hardware_profiles({})
    assert len(profiles) > 100
    micro = anonymous.hardware_profile("t2.micro")
    assert {p.name: p.value for p in micro.properties} == {
        "cpu": "1", "memory": "1024", "storage": "0", "architecture": "x86_64"}
    assert all(prop.kind == "fixed" for p in profiles for prop in p.properties), "EC2 sizes are fixed"
    assert anonymous.hardware_profile("m5d.large").get_property("storage").value == "75"
    assert anonymous.hardware_profile("t4g.micro").get_property("architecture").value == "arm64"
    cpus = [float(p.get_property("cpu").value) for p in profiles]
    assert cpus == sorted(cpus), "profiles are listed by vCPUs"
    arm = anonymous.hardware_profiles({"architecture": "arm64"})
    assert arm and all(p.get_property("architecture").value == "arm64" for p in arm)
    with pytest.raises(NotFoundError):
        anonymous.hardware_profile("z9.enormous")


def test_default_image_listing_is_own_images_only(driver, moto):
    images = driver.images({})
    assert sorted(i.id for i in images) == [moto.images["x86"], moto.images["arm"]]
    x86 = next(i for i in images if i.id == moto.images["x86"])
    assert (x86.name, x86.description, x86.owner_id) == ("dc-linux-x86", "our x86_64 image", "123456789012")
    assert (x86.architecture, x86.state, x86.root_type) == ("x86_64", "AVAILABLE", "persistent")


def test_registered_images_are_listed(driver, moto):
    registered = moto.client("ec2").register_image(Name="fresh", RootDeviceName="/dev/sda1")["ImageId"]
    assert registered in [i.id for i in driver.images({})]


def test_public_images_of_others_are_shown_only_when_asked_for(driver, moto):
    public = moto.images["public"]
    assert public not in [i.id for i in driver.images({})]
    assert driver.image(public).owner_id == "210987654321"
    assert [i.id for i in driver.images({"id": public})] == [public]
    assert driver.images({"id": "ami-00000000000000000"}) == []
    with pytest.raises(NotFoundError):
        driver.image("ami-00000000000000000")


def test_owner_filter(driver, moto):
    assert sorted(i.id for i in driver.images({"owner_id": "123456789012"})) == [moto.images["x86"],
                                                                                 moto.images["arm"]]
    assert [i.id for i in driver.images({"owner_id": "210987654321"})] == [moto.images["public"]]
    assert driver.images({"owner_id": "999999999999"}) == []
    assert driver.images({"owner_id": "nobody-at-all"}) == []


def test_architecture_filter(driver, moto):
    assert [i.id for i in driver.images({"architecture": "x86_64"})] == [moto.images["x86"]]
    assert [i.id for i in driver.images({"architecture": "arm64"})] == [moto.images["arm"]]
    assert [i.id for i in driver.images({"architecture": "x86_64", "owner_id": "210987654321"})] == [
        moto.images["public"]]


def test_create_lists_and_shows_an_instance(driver, moto):
    created = driver.create_instance(moto.images["x86"], LaunchOptions(
        realm_id="us-east-1b", hardware_profile_id="t3.small", name="web-1"))
    assert created.state in ("PENDING", "RUNNING")
    assert (created.name, created.realm_id, created.hardware_profile_id) == ("web-1", "us-east-1b", "t3.small")
    assert created.owner_id == "123456789012" and created.image_id == moto.images["x86"]
    listed = driver.instances({})
    assert [i.id for i in listed] == [created.id]
    shown = driver.instance(created.id)
    assert shown.state == "RUNNING" and shown.name == "web-1"
    assert any(a.type == "ipv4" for a in shown.private_addresses)
    reservations = moto.client("ec2").describe_instances()["Reservations"]
    tags = reservations[0]["Instances"][0]["Tags"]
    assert {"Key": "Name", "Value": "web-1"} in tags


def test_unnamed_instance_is_named_by_its_id(driver, moto):
    created = driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro"))
    assert created.name == created.id


def test_launch_options_reach_ec2(driver, moto):
    ec2 = moto.client("ec2")
    ec2.create_key_pair(KeyName="ops")
    group = ec2.create_security_group(GroupName="web", Description="web")["GroupId"]
    created = driver.create_instance(moto.images["x86"], LaunchOptions(
        hardware_profile_id="t3.micro", keyname="ops", user_data=b"#!/bin/sh\necho hi\n", firewalls=(group,)))
    assert created.keyname == "ops" and created.firewalls == (group,)
    attribute = ec2.describe_instance_attribute(InstanceId=created.id, Attribute="userData")
    assert base64.b64decode(attribute["UserData"]["Value"]) == b"#!/bin/sh\necho hi\n"


def test_firewalls_by_name(driver, moto):
    group = moto.client("ec2").create_security_group(GroupName="db", Description="db")["GroupId"]
    created = driver.create_instance(moto.images["x86"], LaunchOptions(
        hardware_profile_id="t3.micro", firewalls=("db",)))
    assert driver.instance(created.id).firewalls == (group,)


def test_instance_count_launches_several(driver, moto):
    created = driver.create_instance(moto.images["x86"], LaunchOptions(
        hardware_profile_id="t3.micro", instance_count=3, name="batch"))
    assert len(created) == 3 and len({i.id for i in created}) == 3
    assert sorted(i.id for i in driver.instances({})) == sorted(i.id for i in created)
    assert {i.name for i in driver.instances({})} == {"batch"}


def test_attach_snapshot_adds_a_volume(driver, moto):
    ec2 = moto.client("ec2")
    volume = ec2.create_volume(Size=2, AvailabilityZone="us-east-1a")["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    created = driver.create_instance(moto.images["x86"], LaunchOptions(
        hardware_profile_id="t3.micro", snapshot_id=snapshot, device_name="/dev/sdg"))
    devices = {v.device for v in driver.instance(created.id).storage_volumes}
    assert "/dev/sdg" in devices


def test_default_profile_follows_the_image(driver, moto):
    assert driver.create_instance(moto.images["x86"], LaunchOptions()).hardware_profile_id == "t3.micro"
    assert driver.create_instance(moto.images["arm"], LaunchOptions()).hardware_profile_id == "t4g.micro"


def test_unknown_references_are_bad_requests(driver, moto):
    with pytest.raises(ValidationError, match="InvalidAMIID"):
        driver.create_instance("ami-00000000000000000", LaunchOptions(hardware_profile_id="t3.micro"))
    with pytest.raises(ValidationError, match="InvalidGroup"):
        driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro",
                                                                 firewalls=("sg-0123456789abcdef0",)))
    with pytest.raises(ValidationError, match="InvalidSnapshot"):
        driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro",
                                                                 snapshot_id="snap-0123456789abcdef0"))


def test_realm_and_state_filters(driver, moto):
    image = moto.images["x86"]
    a = driver.create_instance(image, LaunchOptions(realm_id="us-east-1a", hardware_profile_id="t3.micro"))
    b = driver.create_instance(image, LaunchOptions(realm_id="us-east-1c", hardware_profile_id="t3.micro"))
    assert [i.id for i in driver.instances({"realm_id": "us-east-1c"})] == [b.id]
    driver.stop_instance(a.id)
    assert [i.id for i in driver.instances({"state": "STOPPED"})] == [a.id]
    assert [i.id for i in driver.instances({"state": "RUNNING"})] == [b.id]


def test_stop_start_reboot_destroy(driver, moto):
    created = driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro"))
    assert driver.stop_instance(created.id).state in ("STOPPING", "STOPPED")
    assert driver.instance(created.id).state == "STOPPED"
    assert driver.start_instance(created.id).state in ("PENDING", "RUNNING")
    assert driver.reboot_instance(created.id).state == "RUNNING"
    driver.destroy_instance(created.id)
    assert driver.instances({}) == [], "terminated instances leave the listing"
    assert driver.instance(created.id).state == "FINISH", "but are shown as FINISH when asked for"
    assert [i.id for i in driver.instances({"state": "FINISH"})] == [created.id]


def test_missing_instance_is_404(driver):
    with pytest.raises(NotFoundError):
        driver.instance("i-0123456789abcdef0")
    with pytest.raises(NotFoundError):
        driver.stop_instance("i-0123456789abcdef0")


def test_create_and_destroy_image(driver, moto):
    instance = driver.create_instance(moto.images["x86"], LaunchOptions(hardware_profile_id="t3.micro"))
    assert driver.instance(instance.id).create_image
    image = driver.create_image(instance.id, "golden", "the golden image")
    assert (image.name, image.description, image.owner_id) == ("golden", "the golden image", "123456789012")
    assert image.id in [i.id for i in driver.images({})]
    driver.destroy_image(image.id)
    assert image.id not in [i.id for i in driver.images({})]
    with pytest.raises(NotFoundError):
        driver.destroy_image(image.id)


def test_wrong_secret_is_401(make_driver, moto):
    from deltacloud.models import Credentials

    with pytest.raises(AuthenticationError):
        make_driver(Credentials(moto.access_key, "not-the-secret")).realms({})
    with pytest.raises(AuthenticationError):
        make_driver(Credentials("AKIANOBODY0000000000", "x")).instances({})
    assert not make_driver(Credentials("AKIANOBODY0000000000", "x")).valid_credentials()
    assert make_driver().valid_credentials()


def test_missing_credentials_is_401(make_driver):
    with pytest.raises(AuthenticationError):
        make_driver(None).realms({})
