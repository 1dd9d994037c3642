"""The mock cloud's fixed offer: its realms and hardware profiles (static, the same for everyone)."""

from __future__ import annotations

from deltacloud.models import HardwareProfile, HardwareProperty, Realm

REALMS: tuple[Realm, ...] = (
    Realm("us", "United States", "AVAILABLE"),
    Realm("eu", "Europe", "AVAILABLE"),
)
#: The realm of a new instance when the client names none.
DEFAULT_REALM = "us"
#: The hardware profile of a new instance when the client names none.
DEFAULT_PROFILE = "m1-small"

_fixed, _range, _enum = HardwareProperty.fixed, HardwareProperty.range, HardwareProperty.enum

_PROFILES = (
    HardwareProfile("m1-small", (
        _fixed("cpu", 1), _fixed("memory", 1740.8), _fixed("storage", 160), _fixed("architecture", "i386"),
    ), "m1-small"),
    HardwareProfile("m1-large", (
        _range("cpu", 1, 6, default=1), _range("memory", 7680, 15360, default=10240),
        _enum("storage", [850, 1024]), _fixed("architecture", "x86_64"),
    ), "m1-large"),
    HardwareProfile("m1-xlarge", (
        _fixed("cpu", 4), _range("memory", 12288, 32768, default=12288),
        _enum("storage", [1024, 2048, 4096]), _fixed("architecture", "x86_64"),
    ), "m1-xlarge"),
    HardwareProfile("opaque", (), "opaque"),
)


def _order(profile: HardwareProfile) -> tuple[int, float, float]:
    """Index order: by default cpu, then default memory; profiles lacking either go last."""
    cpu, memory = profile.get_property("cpu"), profile.get_property("memory")
    if cpu is None or memory is None:
        return (1, 0.0, 0.0)
    return (0, float(cpu.value), float(memory.value))


#: The hardware profiles in index order.
HARDWARE_PROFILES: tuple[HardwareProfile, ...] = tuple(sorted(_PROFILES, key=_order))
#: The profiles by id.
PROFILES_BY_ID: dict[str, HardwareProfile] = {p.id: p for p in HARDWARE_PROFILES}
#: Every image can be launched with every profile.
PROFILE_IDS: tuple[str, ...] = tuple(p.id for p in HARDWARE_PROFILES)
#: The realms by id.
REALMS_BY_ID: dict[str, Realm] = {r.id: r for r in REALMS}


def architecture_of(profile_id: str) -> str:
    """The fixed or default architecture of a profile, or ``""`` when it has none (or is unknown)."""
    profile = PROFILES_BY_ID.get(profile_id)
    prop = profile.get_property("architecture") if profile is not None else None
    return prop.value if prop is not None else ""
