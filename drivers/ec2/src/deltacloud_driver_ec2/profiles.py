"""Hardware profiles: EC2 instance types, from libcloud's static table (no API call, no credentials).

Each profile has four fixed properties: ``cpu`` (vCPUs), ``memory`` (MB), ``storage`` (GB of
instance store; 0 for EBS-only types, whose disk is the image's root volume) and
``architecture`` (``x86_64`` or ``arm64``). Nothing is variable: EC2 sizes are fixed, and the
architecture an instance runs is its image's, not a launch-time choice, so even the old types
that can also run 32-bit images show ``x86_64`` rather than an enum no ``hwp_architecture``
could honour. The profiles of a region are built once per process and listed by vCPUs, then
memory, then name, as the original API ordered them.
"""

from __future__ import annotations

import functools
import re

from deltacloud.models import HardwareProfile, HardwareProperty

#: The profile used when a client launches without ``hwp_id``, by image architecture.
DEFAULT_PROFILES: dict[str, str] = {"x86_64": "t3.micro", "i386": "t2.micro", "arm64": "t4g.micro"}

_ARM_HINTS = ("graviton", "arm", "apple m")
_DISKS = re.compile(r"(\d+)\s*x\s*([\d,.]+)")


def _architecture(attrs: dict) -> HardwareProperty:
    extra = attrs.get("extra") or {}
    processor = str(extra.get("physicalProcessor", "")).lower()
    if any(hint in processor for hint in _ARM_HINTS) or attrs["id"].startswith("a1."):
        return HardwareProperty.fixed("architecture", "arm64")
    return HardwareProperty.fixed("architecture", "x86_64")


def _storage_gb(attrs: dict) -> int:
    disk = attrs.get("disk") or 0
    if disk:
        return int(disk)
    match = _DISKS.search(str((attrs.get("extra") or {}).get("storage", "")))
    if match:
        return int(match.group(1)) * int(float(match.group(2).replace(",", "")))
    return 0


def _cpus(attrs: dict) -> float:
    try:
        return float((attrs.get("extra") or {}).get("vcpu", 0))
    except ValueError:
        return 0.0


def profile_of(attrs: dict) -> HardwareProfile:
    """The profile of one entry of libcloud's ``INSTANCE_TYPES`` table."""
    return HardwareProfile(attrs["id"], (
        HardwareProperty.fixed("cpu", _cpus(attrs)),
        HardwareProperty.fixed("memory", attrs.get("ram") or 0),
        HardwareProperty.fixed("storage", _storage_gb(attrs)),
        _architecture(attrs),
    ), name=attrs["id"])


@functools.cache
def profiles_for(region: str) -> tuple[tuple[HardwareProfile, ...], dict[str, HardwareProfile]]:
    """The region's profiles in listing order, and the same by id."""
    from libcloud.compute.constants.ec2_instance_types import INSTANCE_TYPES
    from libcloud.compute.constants.ec2_region_details_complete import REGION_DETAILS

    names = REGION_DETAILS.get(region, REGION_DETAILS["us-east-1"])["instance_types"]
    profiles = [profile_of(INSTANCE_TYPES[name]) for name in names if name in INSTANCE_TYPES]
    profiles.sort(key=lambda p: (float(p.properties[0].value), float(p.properties[1].value), p.id))
    return tuple(profiles), {p.id: p for p in profiles}


def architectures(profile: HardwareProfile) -> tuple[str, ...]:
    """The architectures a profile runs."""
    prop = profile.get_property("architecture")
    return () if prop is None else (prop.value,)


def default_profile(architecture: str) -> str:
    """The profile to launch an image of ``architecture`` on when the client names none."""
    return DEFAULT_PROFILES.get(architecture, DEFAULT_PROFILES["x86_64"])
