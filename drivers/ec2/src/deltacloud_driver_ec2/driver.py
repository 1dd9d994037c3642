"""``Ec2Driver``: Amazon EC2 (or an EC2-compatible endpoint) behind the Deltacloud API.

Credentials are HTTP Basic: the user is the access key id, the password the secret access
key. The provider is an AWS region (``us-east-1`` by default) or an endpoint URL, see
``deltacloud_driver_ec2.providers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from deltacloud.driver import StateMachine
from deltacloud.models import Provider
from deltacloud_driver_ec2 import providers, states
from deltacloud_driver_ec2.access import AccessMixin
from deltacloud_driver_ec2.balancers import BalancerMixin
from deltacloud_driver_ec2.compute import ComputeMixin
from deltacloud_driver_ec2.ebs import EbsMixin
from deltacloud_driver_ec2.s3 import BucketMixin

#: The entry point name the driver is installed under.
ENTRY_POINT = "ec2"

#: The features the driver advertises (pinned by the tests).
FEATURES: tuple[str, ...] = (
    "user_data", "authentication_key", "firewalls", "instance_count", "user_name", "realm_filter",
    "owner_id", "image_name", "image_description", "bucket_location", "attach_snapshot", "import_key",
)


class Ec2Driver(ComputeMixin, AccessMixin, EbsMixin, BalancerMixin, BucketMixin):
    """EC2 instances, images, zones, key pairs, security groups, Elastic IPs, EBS, ELB and S3."""

    name: ClassVar[str] = "EC2"
    state_machine: ClassVar[StateMachine] = states.MACHINE
    features: ClassVar[Sequence[str]] = FEATURES
    providers_known: ClassVar[tuple[Provider, ...]] = providers.known_providers()
    default_provider: ClassVar[str | None] = providers.DEFAULT_REGION
    #: RunInstances checks the image and the zone itself: no DescribeImages/Zones before a launch.
    launch_checks: ClassVar[frozenset[str]] = frozenset({"image_id", "realm_id"})
