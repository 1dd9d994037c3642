"""Addresses, firewalls and load balancers, when advertised: create, show, their actions, destroy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deltacloud_conformance.choices import Offer
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import items_of, ref_id
from deltacloud_conformance.lifecycle import Instances, Settings
from deltacloud_conformance.requirements import requires_collection
from deltacloud_conformance.suite.common import (
    OptionalCollectionChecks,
    act,
    action_link,
    create,
    gone,
    undoing_destroyer,
    wait_for,
)
from deltacloud_conformance.tracker import Tracker

__all__ = ["TestAddresses", "TestFirewalls", "TestLoadBalancers"]


def running_instance(instances: Instances, offer: Offer) -> tuple[str, str]:
    """Launch an instance and wait until it settles; its id and realm."""
    params = offer.any_launch()
    id = instances.launch(params).get("id")
    instances.wait_stable(id)
    return id, params["realm_id"]


@requires_collection("addresses")
class TestAddresses(OptionalCollectionChecks):
    """``/api/addresses``: public IPs to allocate and move between instances."""

    area = "addresses"
    collection = "addresses"
    required = ("ip",)
    named = False

    def _allocate(self, api: DeltacloudApi, tracker: Tracker, settings: Settings) -> Any:
        tracker.destroyers.setdefault("addresses", undoing_destroyer(
        api, settings, "addresses", "disassociate", lambda a: ref_id(a, "instance") == "", "free"))
        address = create(api, tracker, "addresses", {})
        assert (address.findtext("ip") or "").strip(), "an allocated address has no <ip>"
        return address

    def test_allocate_and_release(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_settings: Settings) -> None:
        address = self._allocate(dc_api, dc_tracker, dc_settings)
        assert address.get("id") in [a.get("id") for a in items_of(dc_api.xml("/addresses"), "addresses")]
        act(dc_api, address, "destroy").expect(204)
        dc_tracker.forget("addresses", address.get("id"))
        gone(dc_api, address.get("href"), dc_settings)

    def test_associate_and_disassociate(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_instances: Instances,
                                        dc_offer: Offer, dc_settings: Settings) -> None:
        instance, _realm = running_instance(dc_instances, dc_offer)
        address = self._allocate(dc_api, dc_tracker, dc_settings)
        if action_link(address, "associate") is None:
            pytest.skip("the driver offers no associate action on a free address")
        act(dc_api, address, "associate", instance_id=instance).expect(202)
        associated = wait_for(dc_api, address.get("href"), dc_settings, "the address to be associated",
                              lambda a: ref_id(a, "instance") == instance)
        ip = (associated.findtext("ip") or "").strip()
        shown = [a.text for a in dc_instances.show(instance).expect(200).xml().findall("public_addresses/address")]
        assert ip in shown, f"the instance's public addresses {shown} do not include its address {ip}"
        act(dc_api, associated, "disassociate").expect(202)
        wait_for(dc_api, address.get("href"), dc_settings, "the address to be free",
                 lambda a: ref_id(a, "instance") == "")


@requires_collection("firewalls")
class TestFirewalls(OptionalCollectionChecks):
    """``/api/firewalls``: named sets of ingress rules."""

    area = "firewalls"
    collection = "firewalls"
    required = ("name", "rules")

    def test_create_add_and_delete_a_rule_destroy(self, dc_api: DeltacloudApi, dc_tracker: Tracker,
                                                  dc_settings: Settings, dc_unique: Callable[[str], str]) -> None:
        name = dc_unique("fw")
        firewall = create(dc_api, dc_tracker, "firewalls", {"name": name, "description": "made by dcconf"})
        assert (firewall.findtext("name") or "").strip() == name, f"asked for firewall {name!r}"
        if action_link(firewall, "add_rule") is None:
            pytest.skip("the driver offers no add_rule action on a firewall")
        act(dc_api, firewall, "add_rule", protocol="tcp", port_from="8080", port_to="8081",
            ip_address1="192.0.2.0/24").expect(201)
        shown = dc_api.xml(firewall.get("href"))
        rules = [r for r in shown.findall("rules/rule")
                 if (r.findtext("allow_protocol"), r.findtext("port_from"), r.findtext("port_to")) ==
                 ("tcp", "8080", "8081")]
        assert rules, "the new rule is not among the firewall's rules"
        sources = [(s.get("address"), s.get("prefix")) for s in rules[0].findall("sources/source")]
        assert ("192.0.2.0", "24") in sources, f"the rule's sources are {sources}"
        destroy = action_link(rules[0], "destroy")
        if destroy is not None:
            dc_api.delete(destroy[1]).expect(204)
            left = dc_api.xml(firewall.get("href")).findall("rules/rule")
            assert rules[0].get("id") not in [r.get("id") for r in left], "a deleted rule is still listed"
        act(dc_api, dc_api.xml(firewall.get("href")), "destroy").expect(204)
        dc_tracker.forget("firewalls", firewall.get("id"))
        gone(dc_api, firewall.get("href"), dc_settings)

    def test_rule_without_a_source_is_400(self, dc_api: DeltacloudApi, dc_tracker: Tracker,
                                          dc_unique: Callable[[str], str]) -> None:
        firewall = create(dc_api, dc_tracker, "firewalls", {"name": dc_unique("fw"), "description": "dcconf"})
        if action_link(firewall, "add_rule") is None:
            pytest.skip("the driver offers no add_rule action on a firewall")
        act(dc_api, firewall, "add_rule", protocol="tcp", port_from="22", port_to="22").expect(400)
        act(dc_api, firewall, "add_rule", protocol="tcp", port_from="22", port_to="22",
            ip_address1="not-an-address").expect(400)


@requires_collection("load_balancers")
class TestLoadBalancers(OptionalCollectionChecks):
    """``/api/load_balancers``: listeners forwarding to registered instances."""

    area = "load balancers"
    collection = "load_balancers"
    required = ("name", "listeners", "instances")

    def _create(self, api: DeltacloudApi, tracker: Tracker, realm: str, name: str) -> Any:
        balancer = create(api, tracker, "load_balancers", {
            "name": name, "realm_id": realm, "listener_protocol": "HTTP", "listener_balancer_port": "80",
            "listener_instance_port": "8080"})
        assert balancer.get("id") == name, f"a load balancer's id is its name {name!r}, not {balancer.get('id')!r}"
        listeners = [(li.get("protocol"), li.findtext("load_balancer_port"), li.findtext("instance_port"))
                     for li in balancer.findall("listeners/listener")]
        assert ("HTTP", "80", "8080") in listeners, f"the listener asked for is not shown: {listeners}"
        return balancer

    def test_create_show_destroy(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_offer: Offer,
                                 dc_settings: Settings, dc_unique: Callable[[str], str]) -> None:
        balancer = self._create(dc_api, dc_tracker, dc_offer.realms[0], dc_unique("lb"))
        assert balancer.get("id") in [b.get("id") for b in items_of(dc_api.xml("/load_balancers"),
                                                                        "load_balancers")]
        act(dc_api, balancer, "destroy").expect(204)
        dc_tracker.forget("load_balancers", balancer.get("id"))
        gone(dc_api, balancer.get("href"), dc_settings)

    def test_register_and_unregister(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_instances: Instances,
                                     dc_offer: Offer, dc_unique: Callable[[str], str]) -> None:
        instance, realm = running_instance(dc_instances, dc_offer)
        balancer = self._create(dc_api, dc_tracker, realm, dc_unique("lb"))
        if action_link(balancer, "register") is None:
            pytest.skip("the driver offers no register action on a load balancer")
        act(dc_api, balancer, "register", instance_id=instance).expect(200, 202)
        shown = dc_api.xml(balancer.get("href"))
        assert instance in [i.get("id") for i in shown.findall("instances/instance")], "the instance is not registered"
        act(dc_api, shown, "unregister", instance_id=instance).expect(200, 202)
        after = dc_api.xml(balancer.get("href"))
        assert instance not in [i.get("id") for i in after.findall("instances/instance")], "still registered"
