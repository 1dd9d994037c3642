"""The mock as the core sees it: an entry point, a valid driver class, features with effects."""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import entry_points

from deltacloud.driver import Driver
from deltacloud.loader import check_driver
from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import MockDriver

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBFdxcUZ09Rf5zQiwWLKdaP1AIj1qLEUfGuvTVCTwFIM"
FEATURES = {"user_name", "user_data", "authentication_key", "realm_filter", "instance_count", "import_key",
            "image_name", "image_description", "owner_id", "firewalls", "metrics", "register_to_load_balancer",
            "volume_name", "volume_description", "attach_snapshot", "bucket_location"}


def test_entry_point_names_the_driver():
    (ep,) = [ep for ep in entry_points(group="deltacloud.drivers") if ep.name == "mock"]
    assert ep.value == "deltacloud_driver_mock:MockDriver"
    assert ep.load() is MockDriver


def test_the_class_passes_the_core_checks():
    assert issubclass(MockDriver, Driver) and MockDriver.name == "Mock"
    declared = check_driver("mock", MockDriver)
    assert {f.name for f in declared} == FEATURES


def test_supported_operations():
    for method in ("create_image", "destroy_image", "keys", "create_key", "destroy_key",
                   "start_instance", "stop_instance", "reboot_instance"):
        assert MockDriver.supports(method), method
    for method in ("storage_volumes", "create_storage_volume", "attach_storage_volume", "detach_storage_volume",
                   "destroy_storage_volume", "storage_snapshots", "create_storage_snapshot", "destroy_storage_snapshot",
                   "addresses", "create_address", "associate_address", "disassociate_address", "destroy_address",
                   "firewalls", "create_firewall", "add_firewall_rule", "delete_firewall_rule", "destroy_firewall",
                   "load_balancers", "create_load_balancer", "register_load_balancer", "unregister_load_balancer",
                   "destroy_load_balancer", "metrics", "metric", "buckets", "bucket", "create_bucket",
                   "destroy_bucket", "blob", "create_blob", "blob_data", "update_blob_metadata", "destroy_blob"):
        assert MockDriver.supports(method), method


def test_every_feature_has_an_effect(driver, ids):
    """One observable effect per advertised feature, through the models."""
    key = driver.create_key("imported", ED25519)
    assert key.fingerprint == "ac:c0:cd:b6:42:c2:15:73:f4:3a:ec:fc:6f:3f:3e:40"  # import_key
    created = driver.create_instance("img1", LaunchOptions(
        name="named", keyname="imported", instance_count=2, realm_id="eu", user_data=b"hello"))
    assert [i.name for i in created] == ["named", "named"]  # user_name, instance_count
    assert [i.keyname for i in created] == ["imported", "imported"]  # authentication_key
    assert driver.user_data(created[0].id) == b"hello"  # user_data
    assert ids(driver.instances({"realm_id": "eu"})) == ["inst3", *ids(created)]  # realm_filter
    image = driver.create_image(created[0].id, "named-image", "described")
    assert (image.name, image.description) == ("named-image", "described")  # image_name, image_description
    assert ids(driver.images({"owner_id": "mockuser"})) == ["img3", "named-image"]  # owner_id


def test_every_storage_and_network_feature_has_an_effect(driver):
    """The features of the optional collections, each observable through the models."""
    volume = driver.create_storage_volume(capacity=2, name="named", description="described")
    assert (volume.name, volume.description) == ("named", "described")  # volume_name, volume_description
    driver.create_load_balancer("lb", "us", "TCP", 22, 22)
    created = driver.create_instance("img1", LaunchOptions(
        firewalls=("default",), load_balancer_id="lb", metrics=True, snapshot_id="snap1", device_name="/dev/sdf"))
    assert created.firewalls == ("default",)  # firewalls
    assert driver.load_balancer("lb").instance_ids == (created.id,)  # register_to_load_balancer
    (attached,) = created.storage_volumes
    assert (attached.device, driver.storage_volume(attached.id).snapshot_id) == ("/dev/sdf", "snap1")  # attach_snapshot

    def spacing(id: str) -> float:
        first, second = driver.metric(id).properties[0].samples[:2]
        return (datetime.fromisoformat(second.timestamp) - datetime.fromisoformat(first.timestamp)).total_seconds()

    assert (spacing(created.id), spacing("inst1")) == (60, 300)  # metrics: detailed monitoring
