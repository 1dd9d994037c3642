"""Hardware profiles: oVirt's two VM types, each with cpu, memory and storage as ranges.

oVirt has no fixed sizes: a VM gets whatever CPUs and memory it is given, so both profiles
(``SERVER`` and ``DESKTOP``, the VM types of the API) are ranges, and the core validates
``hwp_cpu``, ``hwp_memory`` and ``hwp_storage`` against them (400 outside). ``storage`` is the
size in GB of one extra data disk the driver adds to the new VM (oVirt 4 only).
"""

from __future__ import annotations

from deltacloud.models import HardwareProfile, HardwareProperty

#: Bounds of the ranges: virtual CPUs, memory in MB, storage in GB.
CPU = (1, 16)
MEMORY_MB = (512, 32768)
STORAGE_GB = (1, 1024)


def _profile(id: str, memory_default: int) -> HardwareProfile:
    return HardwareProfile(id, (
        HardwareProperty.range("cpu", *CPU, default=1),
        HardwareProperty.range("memory", *MEMORY_MB, default=memory_default),
        HardwareProperty.range("storage", *STORAGE_GB, default=STORAGE_GB[0]),
        HardwareProperty.fixed("architecture", "x86_64"),
    ), name=id.lower())


PROFILES: tuple[HardwareProfile, ...] = (_profile("SERVER", 1024), _profile("DESKTOP", 512))


def profile_of(vm_type: str) -> str:
    """The profile id of an oVirt VM or template type (``server``/``desktop``, any case)."""
    return "DESKTOP" if vm_type.strip().lower() == "desktop" else "SERVER"
