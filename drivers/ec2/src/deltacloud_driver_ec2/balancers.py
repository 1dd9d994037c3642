"""Load balancers: classic Elastic Load Balancing, through libcloud's load balancer driver.

A load balancer's id is its name, as in the original API. libcloud's ``ElasticLBDriver``
signs and sends every call; its parser keeps neither listeners nor zones, so the listing is
read from the (normalised) ``DescribeLoadBalancers`` answer here.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from libcloud.compute.base import Node
from libcloud.loadbalancer.base import LoadBalancer as LibcloudBalancer
from libcloud.loadbalancer.base import Member
from libcloud.loadbalancer.drivers.elb import NS, ROOT
from libcloud.loadbalancer.types import State

from deltacloud.driver import Filters
from deltacloud.driver.toolkit import local_name
from deltacloud.errors import BackendError, NotFoundError
from deltacloud.models import Listener, LoadBalancer
from deltacloud_driver_ec2.compute import references_checked
from deltacloud_driver_ec2.session import Ec2Session


def _q(path: str) -> str:
    return "/".join(f"{{{NS}}}{part}" for part in path.split("/"))


def _text(element: Element, path: str) -> str:
    found = element.find(_q(path))
    return (found.text or "").strip() if found is not None else ""


def balancer_of(member: Element) -> LoadBalancer:
    """One ``LoadBalancerDescriptions/member`` as a load balancer."""
    listeners = tuple(
        Listener(_text(item, "Listener/Protocol").upper(), _text(item, "Listener/LoadBalancerPort"),
                 _text(item, "Listener/InstancePort"))
        for item in member.findall(_q("ListenerDescriptions/member")))
    name = _text(member, "LoadBalancerName")
    return LoadBalancer(
        id=name,
        name=name,
        realm_ids=tuple((z.text or "").strip() for z in member.findall(_q("AvailabilityZones/member"))),
        listeners=listeners,
        instance_ids=tuple(_text(i, "InstanceId") for i in member.findall(_q("Instances/member"))),
        public_addresses=tuple(a for a in (_text(member, "DNSName"),) if a),
        created_at=_text(member, "CreatedTime"),
    )


class BalancerMixin(Ec2Session):
    """ELB load balancers."""

    def _describe_balancers(self, name: str | None) -> list[LoadBalancer]:
        params = {"Action": "DescribeLoadBalancers"}
        if name:
            params["LoadBalancerNames.member.1"] = name
        with self.backend("elb") as elb:
            root = elb.connection.request(ROOT, params=params).object
        container = root.find(_q("DescribeLoadBalancersResult/LoadBalancerDescriptions"))
        if container is None:
            raise BackendError(f"ELB answered DescribeLoadBalancers with <{local_name(root.tag)}> and no "
                               "LoadBalancerDescriptions: the endpoint's answer does not match the ELB API")
        return [balancer_of(member) for member in container.findall(_q("member"))]

    def load_balancers(self, filters: Filters) -> list[LoadBalancer]:
        """Every classic load balancer of the region."""
        if filters.get("id"):
            try:
                return self._describe_balancers(filters["id"])
            except NotFoundError:
                return []
        return self._describe_balancers(None)

    def load_balancer(self, id: str) -> LoadBalancer:
        """One load balancer, by name."""
        found = self._describe_balancers(id)
        if not found:
            raise NotFoundError(f"Load balancer '{id}' not found")
        return found[0]

    def create_load_balancer(self, name: str, realm_id: str, listener_protocol: str,
                             listener_balancer_port: int, listener_instance_port: int) -> LoadBalancer:
        """``CreateLoadBalancer`` with one listener in one zone."""
        protocol = listener_protocol.upper()
        params = {
            "Action": "CreateLoadBalancer",
            "LoadBalancerName": name,
            "AvailabilityZones.member.1": realm_id,
            "Listeners.member.1.Protocol": protocol,
            "Listeners.member.1.LoadBalancerPort": str(listener_balancer_port),
            "Listeners.member.1.InstanceProtocol": protocol,
            "Listeners.member.1.InstancePort": str(listener_instance_port),
        }
        with references_checked("Cannot create the load balancer"), self.backend("elb") as elb:
            elb.connection.request(ROOT, params=params)
        return self.load_balancer(name)

    def register_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Register an instance (libcloud ``balancer_attach_compute_node``)."""
        self.load_balancer(id)
        with references_checked("Cannot register the instance"), self.backend("elb") as elb:
            balancer = LibcloudBalancer(id, id, State.UNKNOWN, None, None, elb)
            balancer._members = []
            node = Node(instance_id, instance_id, None, [], [], None)
            elb.balancer_attach_compute_node(balancer, node)
        return self.load_balancer(id)

    def unregister_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Deregister an instance (libcloud ``balancer_detach_member``)."""
        current = self.load_balancer(id)
        if instance_id not in current.instance_ids:
            raise NotFoundError(f"Instance '{instance_id}' is not registered with load balancer '{id}'")
        with self.backend("elb") as elb:
            balancer = LibcloudBalancer(id, id, State.UNKNOWN, None, None, elb)
            balancer._members = []
            elb.balancer_detach_member(balancer, Member(instance_id, None, None, balancer=balancer))
        return self.load_balancer(id)

    def destroy_load_balancer(self, id: str) -> None:
        """Delete a load balancer (libcloud ``destroy_balancer``)."""
        self.load_balancer(id)
        with self.backend("elb") as elb:
            elb.destroy_balancer(LibcloudBalancer(id, id, State.UNKNOWN, None, None, elb))
