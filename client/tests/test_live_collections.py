"""The library against a live mock server: discovery, every collection, every action, XML and JSON."""

from __future__ import annotations

import pytest
import requests

from deltacloud_client import (
    ActionNotAvailableError,
    Address,
    Blob,
    Bucket,
    Client,
    Firewall,
    HardwareProfile,
    Image,
    Instance,
    Key,
    LoadBalancer,
    NotSupportedError,
    StorageSnapshot,
    StorageVolume,
)


@pytest.fixture(params=["xml", "json"])
def any_client(request, server) -> Client:
    """A client in each format."""
    return Client(server.url, "mockuser", "mockpassword", format=request.param)


def test_discovery_follows_the_entry_point(any_client: Client, server) -> None:
    api = requests.get(server.url, headers={"Accept": "application/json"}, timeout=10).json()["api"]
    assert any_client.version == api["version"]
    assert any_client.driver == "mock"
    assert any_client.collections == [link["rel"] for link in api["links"]]
    assert any_client.supports("keys") and not any_client.supports("widgets")
    feature = any_client.feature("instances", "user_data")
    assert feature is not None and feature.operation == "create" and feature.params == ("user_data",)
    assert any_client.feature("instances", "sandboxing") is None
    assert any_client.feature("images", "owner_id").operation == "index"


def test_a_host_url_finds_the_api(server) -> None:
    host = server.url.rsplit("/api", 1)[0]
    assert Client(host, "mockuser", "mockpassword").collections == Client(server.url).collections


def test_credentials_in_the_url_are_used_and_hidden(server) -> None:
    with_credentials = server.url.replace("http://", "http://mockuser:mockpassword@")
    client = Client(with_credentials)
    assert client.url == server.url and client.instances()
    assert "mockpassword" not in client.url and "mockpassword" not in repr(client)


def test_auto_format_reads_what_the_server_prefers(server) -> None:
    auto = Client(server.url, "mockuser", "mockpassword", format="auto")
    assert {i.id for i in auto.instances()} >= {"inst0", "inst1"}


def test_an_unadvertised_collection_is_refused_locally(client: Client) -> None:
    assert client.collections  # the entry point is read once
    sent = sum(client.transport.statuses.values())
    with pytest.raises(NotSupportedError, match="widgets"):
        client.list("widgets")
    assert sum(client.transport.statuses.values()) == sent


def test_every_advertised_collection_lists_and_shows(any_client: Client) -> None:
    for name in any_client.collections:
        if name == "instance_states":
            continue
        items = any_client.list(name)
        for item in items[:2]:
            again = any_client.get(name, item.id)
            assert again.id == item.id and again.href == item.href
            assert type(again).collection == name
    assert {i.id for i in any_client.instances()} >= {"inst0", "inst1", "inst2", "inst3"}


def test_typed_fields_read_alike_from_xml_and_json(client: Client, json_client: Client) -> None:
    for reader in (client, json_client):
        inst = reader.instance("inst0")
        assert (inst.image_id, inst.realm_id, inst.hardware_profile_id) == ("img1", "us", "m1-large")
        assert inst.owner_id == "mockuser" and inst.hardware_profile_overrides == {"memory": "12288"}
        assert inst.public_addresses == ["img1.inst0.public.com"]
        large = reader.hardware_profile("m1-large")
        assert isinstance(large, HardwareProfile)
        cpu, storage = large.properties["cpu"], large.properties["storage"]
        assert (cpu.kind, cpu.first, cpu.last, cpu.param) == ("range", "1", "6", "hwp_cpu")
        assert (storage.kind, storage.values) == ("enum", ("850", "1024"))
        image = reader.image("img1")
        assert isinstance(image, Image) and image.architecture == "x86_64"
        assert "m1-small" in image.hardware_profile_ids
        assert reader.realm("eu").name == "Europe"
        volume = reader.storage_volume("vol3")
        assert (volume.instance_id, volume.device, volume.capacity) == ("inst1", "/dev/sda1", "1")
        assert reader.storage_snapshot("snap2").volume_id == "vol2"
        assert reader.key("test-key").fingerprint
        assert reader.bucket("bucket1").blob_ids == ["blob1", "blob2", "blob3"]
        assert reader.firewall("default").rules[0]["allow_protocol"] == "tcp"
        assert "mock" in [d.id for d in reader.drivers()]
        assert reader.metric("inst0").entity == "Mock Instance With Profile Change"


def test_filters(client: Client) -> None:
    assert {i.realm_id for i in client.instances(realm_id="eu")} == {"eu"}
    assert [i.id for i in client.images(owner_id="mockuser")] == ["img3"]


def test_instance_lifecycle_through_the_links(client: Client, fast) -> None:
    launched = client.create_instance("img1", hwp_id="m1-large", hwp_cpu="2", name="lifecycle",
                                      user_data="#!/bin/sh\necho hi\n")
    assert isinstance(launched, Instance) and launched.name == "lifecycle"
    assert launched.hardware_profile_overrides.get("cpu") == "2"
    running = client.wait_for(launched, "RUNNING", 20, poller=fast)
    assert running.offers("stop") and not running.offers("start")
    with pytest.raises(ActionNotAvailableError, match="start"):
        running.start()
    assert running.reboot().state == "RUNNING"
    stopping = running.stop()
    assert stopping.state in ("STOPPING", "STOPPED")
    stopped = client.wait_for(stopping, "STOPPED", 20, poller=fast)
    started = stopped.start()
    assert started.state in ("PENDING", "RUNNING")
    again = client.wait_for(started, "RUNNING", 20, poller=fast).stop()
    client.wait_for(again, "STOPPED", 20, poller=fast).destroy()
    assert launched.id not in {i.id for i in client.instances()}


def test_run_a_command(client: Client, running: Instance) -> None:
    if not running.offers("run"):
        pytest.skip("this server's mock does not offer run")
    ran = running.run("uptime")
    assert ran.command == "uptime" and "uptime" in ran.output and ran.public_address


def test_create_image_from_an_instance(client: Client, running: Instance) -> None:
    image = running.create_image(name="client-image", description="made by the client")
    assert isinstance(image, Image) and image.description == "made by the client"
    assert client.image(image.id).name == "client-image"
    image.destroy()
    assert image.id not in {i.id for i in client.images()}


def test_keys(client: Client) -> None:
    key = client.create_key("client-key")
    assert isinstance(key, Key) and key.pem and "PRIVATE KEY" in key.pem
    assert client.key("client-key").fingerprint == key.fingerprint
    key.destroy()
    assert "client-key" not in {k.id for k in client.list("keys")}


def test_volumes_snapshots_attach_detach(client: Client, running: Instance) -> None:
    volume = client.create_storage_volume(capacity="2", realm_id="us", name="client-vol")
    assert isinstance(volume, StorageVolume) and volume.capacity == "2"
    attached = volume.attach(running.id, "/dev/sdc")
    assert client.storage_volume(volume.id).instance_id == running.id
    assert volume.id in client.instance(running.id).storage_volume_ids
    detached = (attached or client.storage_volume(volume.id)).detach()
    assert client.storage_volume(volume.id).instance_id is None and detached is not None
    snapshot = client.storage_volume(volume.id).create_snapshot()
    assert isinstance(snapshot, StorageSnapshot) and snapshot.volume_id == volume.id
    snapshot.destroy()
    client.storage_volume(volume.id).destroy()
    assert volume.id not in {v.id for v in client.storage_volumes()}


def test_addresses(client: Client, running: Instance) -> None:
    address = client.create_address()
    assert isinstance(address, Address) and address.ip
    associated = address.associate(running.id)
    assert client.address(address.id).instance_id == running.id and associated is not None
    client.address(address.id).disassociate()
    assert client.address(address.id).instance_id is None
    client.address(address.id).destroy()
    assert address.id not in {a.id for a in client.addresses()}


def test_firewalls_and_rules(client: Client) -> None:
    firewall = client.create_firewall("client-fw", "made by the client")
    assert isinstance(firewall, Firewall) and firewall.rules == []
    updated = firewall.add_rule("tcp", 80, 81, addresses=["10.1.0.0/16"])
    assert [r["allow_protocol"] for r in updated.rules] == ["tcp"]
    updated.delete_rule(updated.rule_ids[0])
    assert client.firewall("client-fw").rules == []
    client.firewall("client-fw").destroy()
    assert "client-fw" not in {f.id for f in client.firewalls()}


def test_load_balancers(client: Client, running: Instance) -> None:
    balancer = client.create_load_balancer("client-lb", "us", "HTTP", 80, 8080)
    assert isinstance(balancer, LoadBalancer)
    assert balancer.register(running.id).instance_ids == [running.id]
    assert client.load_balancer(balancer.id).unregister(running.id).instance_ids == []
    client.load_balancer(balancer.id).destroy()
    assert balancer.id not in {b.id for b in client.load_balancers()}


def test_buckets_and_blobs(client: Client) -> None:
    bucket = client.create_bucket("client-bucket", location="eu")
    assert isinstance(bucket, Bucket)
    blob = bucket.put_blob("hello.txt", b"hello, cloud", "text/plain", {"Owner": "me"})
    assert isinstance(blob, Blob) and blob.content_type == "text/plain"
    fresh = client.bucket("client-bucket").blob("hello.txt")
    assert fresh.content() == b"hello, cloud" and {k.lower(): v for k, v in fresh.metadata.items()} == {"owner": "me"}
    assert client.bucket("client-bucket").blob_ids == ["hello.txt"]
    fresh.destroy()
    client.bucket("client-bucket").destroy()
    assert "client-bucket" not in {b.id for b in client.buckets()}


def test_instance_count_answers_a_list(client: Client, fast) -> None:
    launched = client.create_instance("img1", instance_count="2")
    instances = launched if isinstance(launched, list) else [launched]
    assert len(instances) == 2 and all(isinstance(i, Instance) for i in instances)
    for inst in instances:
        assert client.drive(inst, "FINISH", 30, poller=fast) is None


def test_driver_and_provider_headers(server) -> None:
    chosen = Client(server.url, "mockuser", "mockpassword", driver="mock")
    assert chosen.driver == "mock" and chosen.use(driver="mock").instances()
    assert Client(server.url, "mockuser", "mockpassword").valid_credentials()
    assert not Client(server.url, "mockuser", "wrong").valid_credentials()
