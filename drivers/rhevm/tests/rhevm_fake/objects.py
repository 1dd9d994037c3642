"""The fake engine's objects: data centers, clusters, templates, VMs, disks, tokens, faults, and a manual clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass

GiB = 1024 ** 3
MiB = 1024 ** 2

#: Transitional VM statuses: status -> (status it becomes, seconds it takes).
VM_TRANSITIONS: dict[str, tuple[str, float]] = {
    "image_locked": ("down", 2.0),
    "wait_for_launch": ("powering_up", 1.0),
    "powering_up": ("up", 2.0),
    "powering_down": ("down", 2.0),
    "reboot_in_progress": ("up", 2.0),
    "saving_state": ("suspended", 2.0),
    "restoring_state": ("up", 2.0),
}
#: Template and disk statuses that settle by themselves.
LOCKED_SECONDS = 2.0
#: The template every engine has, which new templates may not be removed like.
BLANK_ID = "00000000-0000-0000-0000-000000000000"


class ManualClock:
    """A clock that moves only when told to: ``advance(seconds)``."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._now += seconds


class Fault(Exception):  # noqa: N818 (named after oVirt's <fault> document)
    """An error the engine answers with a ``<fault>`` document."""

    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.status, self.reason, self.detail = status, reason, detail


@dataclass
class DataCenter:
    id: str
    name: str
    description: str = ""


@dataclass
class Cluster:
    id: str
    name: str
    data_center_id: str
    description: str = ""


@dataclass
class Disk:
    id: str
    name: str
    provisioned_size: int
    status: str = "ok"
    storage_domain_id: str = ""
    due: float | None = None
    vm_id: str = ""  # the VM it is attached to ("" when floating)
    interface: str = "virtio"


@dataclass
class Template:
    id: str
    name: str
    description: str
    cluster_id: str
    memory: int = 1024 * MiB
    cores: int = 1
    sockets: int = 1
    os_type: str = "other_linux"
    status: str = "ok"
    disk_size: int = 10 * GiB
    creation_time: str = "2026-01-02T03:04:05.000+00:00"
    due: float | None = None


@dataclass
class Vm:
    id: str
    name: str
    cluster_id: str
    template_id: str
    memory: int
    cores: int
    sockets: int
    status: str = "image_locked"
    description: str = ""
    os_type: str = "other_linux"
    custom_script: str = ""
    creation_time: str = ""
    start_time: str = ""
    due: float | None = None
    mac: str = ""
    ip: str = ""
    console_port: int = 0


@dataclass
class Token:
    user: str
    expires: float
