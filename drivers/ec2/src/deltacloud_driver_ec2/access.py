"""Keys (key pairs), firewalls (security groups with ingress rules) and addresses (Elastic IPs)."""

from __future__ import annotations

import base64
from typing import Any

from deltacloud.driver import Filters
from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import Firewall, Key, PublicAddress, RuleSource
from deltacloud_driver_ec2 import convert
from deltacloud_driver_ec2.compute import references_checked
from deltacloud_driver_ec2.session import Ec2Session, filters_params, items_of, text


def _group_selector(id: str) -> dict[str, str]:
    """Address a security group by id (``sg-…``) or, as the original API did, by name."""
    return {"GroupId": id} if id.startswith("sg-") else {"GroupName": id}


def permission_params(protocol: str, port_from: str | int, port_to: str | int,
                      sources: tuple[RuleSource, ...]) -> dict[str, str]:
    """``IpPermissions.1.*`` parameters of one ingress permission."""
    params = {"IpPermissions.1.IpProtocol": "-1" if protocol == "all" else protocol,
              "IpPermissions.1.FromPort": str(port_from), "IpPermissions.1.ToPort": str(port_to)}
    ranges = groups = 0
    for source in sources:
        if source.type == "group":
            groups += 1
            field = "GroupId" if source.name.startswith("sg-") else "GroupName"
            params[f"IpPermissions.1.Groups.{groups}.{field}"] = source.name
            if source.owner:
                params[f"IpPermissions.1.Groups.{groups}.UserId"] = source.owner
        elif source.family == "ipv6":
            params[f"IpPermissions.1.Ipv6Ranges.{ranges + 1}.CidrIpv6"] = f"{source.address}/{source.prefix}"
            ranges += 1
        else:
            ranges += 1
            params[f"IpPermissions.1.IpRanges.{ranges}.CidrIp"] = f"{source.address}/{source.prefix or 32}"
    return params


class AccessMixin(Ec2Session):
    """Keys, firewalls and addresses."""

    # -- keys ----------------------------------------------------------------------------------

    def keys(self, filters: Filters) -> list[Key]:
        """The region's key pairs; their ids are their names."""
        params = {"Action": "DescribeKeyPairs"}
        if filters.get("id"):
            params.update(filters_params({"key-name": filters["id"]}))
        return [Key(text(item, "keyName"), text(item, "keyName"), "key", text(item, "keyFingerprint"),
                    state="AVAILABLE") for item in self.ec2_items(params, "keySet")]

    def create_key(self, name: str, public_key: str | None = None) -> Key:
        """Create a key pair (the answer carries its private key, once), or import ``public_key``."""
        if public_key is not None and public_key.strip():
            material = base64.b64encode(public_key.strip().encode()).decode("ascii")
            root = self.ec2_call({"Action": "ImportKeyPair", "KeyName": name, "PublicKeyMaterial": material})
            return Key(name, name, "key", text(root, "keyFingerprint"), public_key=public_key.strip(),
                       state="AVAILABLE")
        root = self.ec2_call({"Action": "CreateKeyPair", "KeyName": name})
        return Key(text(root, "keyName") or name, text(root, "keyName") or name, "key",
                   text(root, "keyFingerprint"), pem=text(root, "keyMaterial"), state="AVAILABLE")

    def destroy_key(self, id: str) -> None:
        """Delete a key pair (EC2 silently accepts unknown names, so its existence is checked first)."""
        self.key(id)
        self.ec2_call({"Action": "DeleteKeyPair", "KeyName": id})

    # -- firewalls -----------------------------------------------------------------------------

    def _groups(self, params: dict[str, str]) -> list[Firewall]:
        with self.backend("ec2") as ec2:
            root = ec2.connection.request("/", params=params).object
            items = items_of(root, "securityGroupInfo", "DescribeSecurityGroups")
            return [convert.firewall(ec2._to_security_group(item)) for item in items]

    def firewalls(self, filters: Filters) -> list[Firewall]:
        """Security groups with their ingress rules; ids are group ids (``sg-…``)."""
        params = {"Action": "DescribeSecurityGroups"}
        if filters.get("id"):
            params.update(filters_params({"group-id": filters["id"]}))
        return self._groups(params)

    def firewall(self, id: str) -> Firewall:
        """One security group, by id or by name."""
        key = "group-id" if id.startswith("sg-") else "group-name"
        found = self._groups({"Action": "DescribeSecurityGroups", **filters_params({key: id})})
        if not found:
            raise NotFoundError(f"Firewall '{id}' not found")
        return found[0]

    def create_firewall(self, name: str, description: str) -> Firewall:
        """``CreateSecurityGroup`` (EC2 requires a description; the name stands in when it is empty)."""
        root = self.ec2_call({"Action": "CreateSecurityGroup", "GroupName": name,
                              "GroupDescription": description or name})
        return self.firewall(text(root, "groupId") or name)

    def add_firewall_rule(self, id: str, protocol: str, port_from: int, port_to: int,
                          sources: tuple[RuleSource, ...]) -> Firewall:
        """``AuthorizeSecurityGroupIngress`` for one permission."""
        group = self.firewall(id)
        with references_checked("Cannot add the rule"):
            self.ec2_call({"Action": "AuthorizeSecurityGroupIngress", "GroupId": group.id,
                           **permission_params(protocol, port_from, port_to, sources)})
        return self.firewall(group.id)

    def delete_firewall_rule(self, id: str, rule_id: str) -> None:
        """``RevokeSecurityGroupIngress`` of the permission whose id is ``rule_id``."""
        group = self.firewall(id)
        rule = next((r for r in group.rules if r.id == rule_id), None)
        if rule is None:
            raise NotFoundError(f"Firewall '{id}' has no rule '{rule_id}'")
        self.ec2_call({"Action": "RevokeSecurityGroupIngress", "GroupId": group.id,
                       **permission_params(rule.protocol, rule.port_from, rule.port_to, rule.sources)})

    def destroy_firewall(self, id: str) -> None:
        """``DeleteSecurityGroup`` (409 while instances use it)."""
        group = self.firewall(id)
        self.ec2_call({"Action": "DeleteSecurityGroup", **_group_selector(group.id)})

    # -- addresses -----------------------------------------------------------------------------

    def _eips(self, filters: dict[str, str]) -> list[Any]:
        with self.backend("ec2") as ec2:
            root = ec2.connection.request("/", params={"Action": "DescribeAddresses",
                                                       **filters_params(filters)}).object
            return [ec2._to_address(item, False) for item in items_of(root, "addressesSet", "DescribeAddresses")]

    def _eip(self, ip: str) -> Any:
        found = self._eips({"public-ip": ip})
        if not found:
            raise NotFoundError(f"Address '{ip}' not found")
        return found[0]

    @staticmethod
    def _eip_selector(eip: Any) -> dict[str, str]:
        allocation = convert.clean(eip.extra.get("allocation_id"))
        return {"AllocationId": allocation} if allocation else {"PublicIp": eip.ip}

    def addresses(self, filters: Filters) -> list[PublicAddress]:
        """Elastic IPs; an address's id is the IP itself."""
        return [convert.address(e) for e in self._eips({"public-ip": filters["id"]} if filters.get("id") else {})]

    def address(self, id: str) -> PublicAddress:
        """One Elastic IP."""
        return convert.address(self._eip(id))

    def create_address(self) -> PublicAddress:
        """``AllocateAddress`` in the VPC domain."""
        root = self.ec2_call({"Action": "AllocateAddress", "Domain": "vpc"})
        ip = text(root, "publicIp")
        if not ip:
            raise ValidationError("EC2 answered AllocateAddress without an address")
        return self.address(ip)

    def associate_address(self, id: str, instance_id: str) -> PublicAddress:
        """``AssociateAddress`` with an instance."""
        eip = self._eip(id)
        with references_checked("Cannot associate the address"):
            self.ec2_call({"Action": "AssociateAddress", "InstanceId": instance_id, **self._eip_selector(eip)})
        return self.address(id)

    def disassociate_address(self, id: str) -> PublicAddress:
        """``DisassociateAddress``."""
        eip = self._eip(id)
        association = convert.clean(eip.extra.get("association_id"))
        if not eip.instance_id and not association:
            raise ConflictError(f"Address '{id}' is not associated with an instance")
        params = {"AssociationId": association} if association else {"PublicIp": eip.ip}
        self.ec2_call({"Action": "DisassociateAddress", **params})
        return self.address(id)

    def destroy_address(self, id: str) -> None:
        """``ReleaseAddress``."""
        eip = self._eip(id)
        self.ec2_call({"Action": "ReleaseAddress", **self._eip_selector(eip)})
