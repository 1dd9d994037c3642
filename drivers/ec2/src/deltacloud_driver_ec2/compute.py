"""Realms, hardware profiles, images and instances on EC2."""

from __future__ import annotations

import base64
import contextlib
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from xml.etree.ElementTree import Element

from deltacloud.driver import Filters
from deltacloud.errors import NotFoundError, ValidationError
from deltacloud.models import HardwareProfile, Image, Instance, LaunchOptions, Realm
from deltacloud_driver_ec2 import convert, profiles
from deltacloud_driver_ec2.session import Ec2Session, filters_params, items_of, text

#: Deltacloud state -> the EC2 states it stands for (for the ``state`` filter).
EC2_STATES: dict[str, list[str]] = {
    "PENDING": ["pending"], "RUNNING": ["running"], "STOPPING": ["stopping"], "STOPPED": ["stopped"],
    "FINISH": ["shutting-down", "terminated"],
}
#: Owners EC2 knows besides 12-digit account ids; any other owner can own no image.
OWNER_ALIASES = frozenset({"self", "amazon", "aws-marketplace", "aws-backup-vault"})
_ACCOUNT_ID = re.compile(r"^\d{12}$")
#: Where ``attach_snapshot`` puts the volume when the client names no device.
DEFAULT_SNAPSHOT_DEVICE = "/dev/sdf"


@contextlib.contextmanager
def references_checked(what: str, params: Mapping[str, str] | None = None) -> Iterator[None]:
    """Inside a create, an unknown referenced id (image, key, firewall, snapshot) is the client's 400.

    ``params`` maps an EC2 error code (or words of its message) to the request parameter it blames
    (``{"InvalidAMIID": "image_id"}``): the 400 then names that parameter.
    """
    try:
        yield
    except (NotFoundError, ValidationError) as exc:
        blamed = next((param for prefix, param in (params or {}).items() if prefix in exc.message), None)
        if blamed is not None:
            raise ValidationError(f"{what}: {exc.message}", param=blamed) from exc
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(f"{what}: {exc.message}") from exc


#: EC2 error codes of a launch that blame one request parameter (the cloud checks these references itself).
LAUNCH_REFERENCES = {"InvalidAMIID": "image_id", "InvalidAvailabilityZone": "realm_id", "InvalidZone": "realm_id",
                     "Invalid Availability Zone": "realm_id"}


def name_tags(resource_type: str, name: str | None, description: str | None = None) -> dict[str, str]:
    """``TagSpecification`` parameters naming a resource at creation (atomic, unlike a later CreateTags)."""
    tags = [(convert.NAME_TAG, name), ("Description", description)]
    params: dict[str, str] = {}
    n = 0
    for tag_key, value in tags:
        if value:
            n += 1
            params[f"TagSpecification.1.Tag.{n}.Key"] = tag_key
            params[f"TagSpecification.1.Tag.{n}.Value"] = value
    if n:
        params["TagSpecification.1.ResourceType"] = resource_type
    return params


class ComputeMixin(Ec2Session):
    """The base collections."""

    # -- realms --------------------------------------------------------------------------------

    def realms(self, filters: Filters) -> list[Realm]:
        """The region's availability zones."""
        params = {"Action": "DescribeAvailabilityZones"}
        if filters.get("id"):
            params.update(filters_params({"zone-name": filters["id"]}))
        out = []
        for item in self.ec2_items(params, "availabilityZoneInfo"):
            name = text(item, "zoneName")
            state = "AVAILABLE" if text(item, "zoneState") == "available" else "UNAVAILABLE"
            out.append(Realm(name, name, state))
        return out

    # -- hardware profiles ---------------------------------------------------------------------

    def hardware_profiles(self, filters: Filters) -> list[HardwareProfile]:
        """The region's instance types (static; needs no credentials)."""
        ordered, by_id = profiles.profiles_for(self.target.region)
        if filters.get("id"):
            found = by_id.get(filters["id"])
            return [found] if found else []
        if filters.get("architecture"):
            return [p for p in ordered if filters["architecture"] in profiles.architectures(p)]
        return list(ordered)

    def hardware_profile(self, id: str) -> HardwareProfile:
        """One instance type."""
        found = profiles.profiles_for(self.target.region)[1].get(id)
        if found is None:
            raise NotFoundError(f"Hardware profile '{id}' not found")
        return found

    # -- images --------------------------------------------------------------------------------

    def _describe_images(self, params: dict[str, str]) -> list[Image]:
        with self.backend("ec2") as ec2:
            root = ec2.connection.request("/", params=params).object
            return [convert.image(ec2._to_image(item)) for item in items_of(root, "imagesSet", "DescribeImages")]

    def images(self, filters: Filters) -> list[Image]:
        """The caller's own images, or one owner's (``owner_id``), or the one asked for by id.

        Never an unfiltered listing of every public AMI.
        """
        owner = filters.get("owner_id")
        if owner and owner not in OWNER_ALIASES and not _ACCOUNT_ID.match(owner):
            return []  # EC2 would refuse the request; no image can belong to such an owner
        params = {"Action": "DescribeImages"}
        ec2_filters: dict[str, str] = {}
        if filters.get("id"):
            ec2_filters["image-id"] = filters["id"]
        if filters.get("owner_id"):
            params["Owner.1"] = filters["owner_id"]
        elif not filters.get("id"):
            params["Owner.1"] = "self"
        if filters.get("architecture"):
            ec2_filters["architecture"] = filters["architecture"]
        params.update(filters_params(ec2_filters))
        return self._describe_images(params)

    def image(self, id: str) -> Image:
        """Any image the caller may see, by id (public ones included)."""
        found = self._describe_images({"Action": "DescribeImages", **filters_params({"image-id": id})})
        if not found:
            raise NotFoundError(f"Image '{id}' not found")
        return found[0]

    def create_image(self, instance_id: str, name: str | None = None, description: str | None = None) -> Image:
        """An EBS image of an instance (``CreateImage``); the name defaults to the instance id and a time."""
        params = {"Action": "CreateImage", "InstanceId": instance_id,
                  "Name": name or f"{instance_id}-{int(time.time())}"}
        if description:
            params["Description"] = description
        image_id = text(self.ec2_call(params), "imageId")
        if not image_id:
            raise ValidationError("EC2 answered CreateImage without an image id")
        return self.image(image_id)

    def destroy_image(self, id: str) -> None:
        """Deregister an image."""
        self.image(id)  # EC2 answers DeregisterImage of an unknown id inconsistently; 404 first
        self.ec2_call({"Action": "DeregisterImage", "ImageId": id})

    # -- instances -----------------------------------------------------------------------------

    def _instances_from(self, params: dict[str, str]) -> list[Instance]:
        with self.backend("ec2") as ec2:
            root = ec2.connection.request("/", params=params).object
            out = []
            for reservation in items_of(root, "reservationSet", "DescribeInstances"):
                owner = text(reservation, "ownerId")
                out.extend(convert.instance(node, owner) for node in ec2._to_nodes(reservation, "instancesSet/item"))
            return out

    def instances(self, filters: Filters) -> list[Instance]:
        """The caller's instances; terminated ones only when asked for by id or ``state=FINISH``."""
        ec2_filters: dict[str, str | list[str]] = {}
        if filters.get("id"):
            ec2_filters["instance-id"] = filters["id"]
        if filters.get("realm_id"):
            ec2_filters["availability-zone"] = filters["realm_id"]
        state = (filters.get("state") or "").upper()
        if state:
            ec2_filters["instance-state-name"] = EC2_STATES.get(state, [state.lower()])
        found = self._instances_from({"Action": "DescribeInstances", **filters_params(ec2_filters)})
        if filters.get("id") or state == "FINISH":
            return found
        return [i for i in found if i.state != "FINISH"]

    def _launch_profile(self, image_id: str, options: LaunchOptions) -> str:
        if options.hardware_profile_id:
            return options.hardware_profile_id
        image = options.image or self.image(image_id)  # the default profile follows the image's architecture
        return profiles.default_profile(image.architecture)

    def create_instance(self, image_id: str, options: LaunchOptions) -> Instance | Sequence[Instance]:
        """``RunInstances``: profile, realm, key, user data, firewalls, name tag, count, snapshot volume."""
        count = options.instance_count or 1
        with references_checked("Cannot launch", LAUNCH_REFERENCES):
            params = {"Action": "RunInstances", "ImageId": image_id, "MinCount": str(count),
                      "MaxCount": str(count), "InstanceType": self._launch_profile(image_id, options)}
            if options.realm_id:
                params["Placement.AvailabilityZone"] = options.realm_id
            if options.keyname:
                params["KeyName"] = options.keyname
            if options.user_data:
                params["UserData"] = base64.b64encode(options.user_data).decode("ascii")
            by_id = [f for f in options.firewalls if f.startswith("sg-")]
            by_name = [f for f in options.firewalls if not f.startswith("sg-")]
            params.update({f"SecurityGroupId.{n}": v for n, v in enumerate(by_id, start=1)})
            params.update({f"SecurityGroup.{n}": v for n, v in enumerate(by_name, start=1)})
            if options.snapshot_id:
                params["BlockDeviceMapping.1.DeviceName"] = options.device_name or DEFAULT_SNAPSHOT_DEVICE
                params["BlockDeviceMapping.1.Ebs.SnapshotId"] = options.snapshot_id
            params.update(name_tags("instance", options.name))
            with self.backend("ec2") as ec2:
                root: Element = ec2.connection.request("/", params=params).object
                owner = text(root, "ownerId")
                items_of(root, "instancesSet", "RunInstances")  # a launch must say what it made
                launched = [convert.instance(node, owner) for node in ec2._to_nodes(root, "instancesSet/item")]
        if not launched:
            raise ValidationError("EC2 launched no instance")
        return launched[0] if count == 1 else launched

    def _instance_action(self, action: str, id: str) -> Instance:
        self.ec2_call({"Action": action, "InstanceId.1": id})
        return self.instance(id)

    def start_instance(self, id: str) -> Instance:
        """``StartInstances``."""
        return self._instance_action("StartInstances", id)

    def stop_instance(self, id: str) -> Instance:
        """``StopInstances``."""
        return self._instance_action("StopInstances", id)

    def reboot_instance(self, id: str) -> Instance:
        """``RebootInstances``."""
        return self._instance_action("RebootInstances", id)

    def destroy_instance(self, id: str) -> None:
        """``TerminateInstances``: the instance goes to FINISH and leaves the listings."""
        self.ec2_call({"Action": "TerminateInstances", "InstanceId.1": id})
