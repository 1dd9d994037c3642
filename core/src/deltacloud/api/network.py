"""Networking in the API description: public addresses, firewalls and their rules, load balancers."""

from __future__ import annotations

from deltacloud.api import firewall_rules
from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.models import Firewall, LoadBalancer, PublicAddress

ID_FILTER = Param("id", description="Only the object with this id")
INSTANCE_ID = Param("instance_id", required=True, description="The instance")

ADDRESSES = Collection(
    "addresses", "address", "Public IP addresses to allocate and move between instances.",
    (Operation("index", "index", "addresses", params=(ID_FILTER,), description="List allocated addresses"),
     Operation("show", "show", "address", description="Show an address"),
     Operation("create", "create", "create_address", status=201, description="Allocate an address",
               errors=((409, "no address is left to allocate"),)),
     Operation("associate", "action", "associate_address", status=202, params=(INSTANCE_ID,),
               description="Associate an address with an instance: it becomes the instance's public address",
               errors=((409, "the address or the instance is associated already"),)),
     Operation("disassociate", "action", "disassociate_address", status=202,
               description="Take an address back from its instance", errors=((409, "the address is not associated"),)),
     Operation("destroy", "destroy", "destroy_address", status=204,
               description="Release an address that is not associated",
               errors=((409, "the address is associated"),))),
    model=PublicAddress)

FIREWALLS = Collection(
    "firewalls", "firewall", "Named sets of ingress rules that instances are launched in (security groups).",
    (Operation("index", "index", "firewalls", params=(ID_FILTER,), description="List firewalls"),
     Operation("show", "show", "firewall", description="Show a firewall and its rules"),
     Operation("create", "create", "create_firewall", status=201,
               params=(Param("name", required=True, description="The new firewall's name (its id)"),
                       Param("description", required=True, description="What the firewall is for")),
               description="Create a firewall without rules", errors=((409, "a firewall of that name exists"),)),
     Operation("add_rule", "action", "add_firewall_rule", status=201, path="/{id}/rules",
               params=firewall_rules.RULE_PARAMS, invoke=firewall_rules.add_rule,
               description="Add an ingress rule: protocol, ports, and source CIDR blocks or firewalls",
               errors=((409, "the firewall has that rule already"),)),
     Operation("delete_rule", "action", "delete_firewall_rule", status=204, method="DELETE",
               path="/{id}/{rule_id}", description="Delete one rule of a firewall"),
     Operation("destroy", "destroy", "destroy_firewall", status=204,
               description="Delete a firewall no instance is in",
               errors=((409, "an instance is in the firewall, or a rule of another firewall names it"),))),
    model=Firewall)

_PORT = {"minimum": 1, "maximum": 65535}

LOAD_BALANCERS = Collection(
    "load_balancers", "load_balancer", "Load balancers in a realm, forwarding listener ports to instances.",
    (Operation("index", "index", "load_balancers", params=(ID_FILTER,), description="List load balancers"),
     Operation("show", "show", "load_balancer", description="Show a load balancer and its instances"),
     Operation("create", "create", "create_load_balancer", status=201,
               params=(Param("name", required=True, description="The new load balancer's name (its id)"),
                       Param("realm_id", required=True, description="The realm it balances in"),
                       Param("listener_protocol", required=True, choices=("HTTP", "TCP"),
                             description="HTTP or TCP"),
                       Param("listener_balancer_port", "integer", required=True, **_PORT,
                             description="The port clients connect to"),
                       Param("listener_instance_port", "integer", required=True, **_PORT,
                             description="The port of the instances traffic goes to")),
               description="Create a load balancer with one listener",
               errors=((409, "a load balancer of that name exists"),)),
     Operation("register", "action", "register_load_balancer", params=(INSTANCE_ID,),
               description="Register an instance of the load balancer's realm",
               errors=((409, "the instance is registered already or in another realm"),)),
     Operation("unregister", "action", "unregister_load_balancer", params=(INSTANCE_ID,),
               description="Unregister an instance", errors=((409, "the instance is not registered"),)),
     Operation("destroy", "destroy", "destroy_load_balancer", status=204, description="Delete a load balancer")),
    model=LoadBalancer)

#: The networking collections in the order ``/api`` lists them.
NETWORK_COLLECTIONS: tuple[Collection, ...] = (ADDRESSES, FIREWALLS, LOAD_BALANCERS)
