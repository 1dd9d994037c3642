"""Networks, subnets and network interfaces (1.1's networking collections), when advertised."""

from __future__ import annotations

import pytest

from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import EntryPoint, items_of
from deltacloud_conformance.lifecycle import Instances, Settings
from deltacloud_conformance.requirements import requires_collection
from deltacloud_conformance.suite.common import OptionalCollectionChecks, act, create, gone
from deltacloud_conformance.tracker import Tracker

__all__ = ["TestNetworkInterfaces", "TestNetworks", "TestSubnets"]

#: An address block for the kit's own network, unlikely to clash with a cloud's.
KIT_BLOCK, KIT_SUBNET = "10.213.0.0/16", "10.213.7.0/24"


@requires_collection("networks")
class TestNetworks(OptionalCollectionChecks):
    """``/api/networks``: private networks and their address blocks and subnets."""

    area = "networks"
    collection = "networks"
    required = ("name", "state")

    def test_subnet_links_lead_to_subnets(self, dc_api: DeltacloudApi) -> None:
        for network in items_of(dc_api.xml("/networks"), "networks")[:3]:
            blocks = network.find("address_blocks")
            assert blocks is not None, f"network {network.get('id')} has no <address_blocks>"
            for subnet in network.findall("subnets/subnet")[:3]:
                shown = dc_api.get(subnet.get("href")).expect(200).xml()
                assert (shown.tag, shown.get("id")) == ("subnet", subnet.get("id"))

    def test_create_a_network_and_a_subnet_then_destroy_them(self, dc_api: DeltacloudApi, dc_entry: EntryPoint,
                                                             dc_tracker: Tracker, dc_settings: Settings) -> None:
        network = create(dc_api, dc_tracker, "networks", {"address_block": KIT_BLOCK, "name": "dcconf-net"})
        assert [b.text for b in network.findall("address_blocks/address_block")] == [KIT_BLOCK]
        if not dc_entry.has("subnets"):
            pytest.skip(f"driver {dc_entry.driver!r} does not advertise the collection 'subnets' at /api")
        subnet = create(dc_api, dc_tracker, "subnets", {"network_id": network.get("id"), "address_block": KIT_SUBNET})
        assert subnet.findtext("address_block", "").strip() == KIT_SUBNET
        shown = dc_api.get(network.get("href")).expect(200).xml()
        assert subnet.get("id") in [s.get("id") for s in shown.findall("subnets/subnet")], (
            "a new subnet is not listed on its network")
        for element, collection in ((subnet, "subnets"), (network, "networks")):
            act(dc_api, element, "destroy").expect(204)
            dc_tracker.forget(collection, element.get("id"))
            gone(dc_api, element.get("href"), dc_settings)


@requires_collection("subnets")
class TestSubnets(OptionalCollectionChecks):
    """``/api/subnets``: each one address block of a network."""

    area = "networks"
    collection = "subnets"
    required = ("name", "address_block")


@requires_collection("network_interfaces")
class TestNetworkInterfaces(OptionalCollectionChecks):
    """``/api/network_interfaces``: instances' interfaces, each naming its instance and network."""

    area = "networks"
    collection = "network_interfaces"
    required = ("name",)

    def test_interfaces_name_their_instance_and_network(self, dc_api: DeltacloudApi) -> None:
        for nic in items_of(dc_api.xml("/network_interfaces"), "network_interfaces")[:5]:
            for tag in ("instance", "network"):
                ref = nic.find(tag)
                assert ref is not None and ref.get("id"), f"interface {nic.get('id')} names no {tag}"

    def test_connect_an_instance(self, dc_api: DeltacloudApi, dc_entry: EntryPoint, dc_tracker: Tracker,
                                 dc_instances: Instances, dc_offer: Offer, dc_settings: Settings) -> None:
        networks = items_of(dc_api.xml("/networks"), "networks") if dc_entry.has("networks") else []
        if not networks:
            pytest.skip("no network to connect an instance to")
        instance = dc_instances.launch(dc_offer.any_launch()).get("id")
        dc_instances.wait_stable(instance)
        nic = create(dc_api, dc_tracker, "network_interfaces",
                     {"instance_id": instance, "network_id": networks[0].get("id")})
        assert (nic.find("instance").get("id"), nic.find("network").get("id")) == (instance, networks[0].get("id"))
        shown = dc_api.get(f"/instances/{instance}").expect(200).xml()
        assert nic.get("id") in [n.get("id") for n in shown.findall("network_interfaces/network_interface")], (
            "the instance does not list its new interface")
        act(dc_api, nic, "destroy").expect(204)
        dc_tracker.forget("network_interfaces", nic.get("id"))
        gone(dc_api, nic.get("href"), dc_settings)
