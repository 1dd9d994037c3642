"""The fake engine's world: data centers, clusters, templates, VMs, disks, users and SSO tokens.

Everything lives in memory behind one lock. Time comes from an injectable clock: a VM that
enters a transitional status (``image_locked``, ``powering_up``, ``powering_down``…) gets a due
time, and every read first applies the transitions that are due, as a real engine's status
changes would have happened by then. Tests use ``ManualClock`` and advance it; the server run
by hand uses the monotonic clock.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from rhevm_fake.objects import (
    BLANK_ID,
    LOCKED_SECONDS,
    VM_TRANSITIONS,
    Cluster,
    DataCenter,
    Disk,
    Fault,
    GiB,
    ManualClock,
    MiB,
    Template,
    Token,
    Vm,
)

__all__ = ["BLANK_ID", "Cluster", "DataCenter", "Disk", "Engine", "Fault", "GiB", "ManualClock", "MiB", "Template",
           "Token", "Vm", "seeded"]


@dataclass
class Engine:
    """One oVirt engine's state; every public method takes the lock and settles due transitions first."""

    clock: Callable[[], float] = time.monotonic
    users: dict[str, str] = field(default_factory=lambda: {"admin@internal": "secret"})
    token_lifetime: float = 1800.0
    #: Multiplies every transition's duration (0.1: ten times faster than the defaults).
    delay_scale: float = 1.0
    data_centers: dict[str, DataCenter] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)
    vms: dict[str, Vm] = field(default_factory=dict)
    disks: dict[str, Disk] = field(default_factory=dict)
    storage_domains: dict[str, str] = field(default_factory=dict)  # id -> name
    tokens: dict[str, Token] = field(default_factory=dict)
    tokens_issued: int = 0
    #: (user, method, path) of every API request, in order, for tests to inspect.
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    #: While set, API requests wait (at most ``stall_seconds``) before answering: an engine gone silent.
    stall_seconds: float = 0.0
    lock: threading.RLock = field(default_factory=threading.RLock)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))
    _released: threading.Event = field(default_factory=threading.Event)

    # -- authentication ------------------------------------------------------------------------

    def check_password(self, user: str, password: str) -> bool:
        """Whether ``user`` (``name@domain``) has this password."""
        known = self.users.get(user)
        return known is not None and secrets.compare_digest(known, password)

    def issue_token(self, user: str, password: str) -> tuple[str, float]:
        """A new SSO token and its expiry (clock seconds); ``Fault(401)`` for bad credentials."""
        with self.lock:
            if not self.check_password(user, password):
                raise Fault(401, "access_denied", f"Cannot authenticate user '{user}'")
            token = secrets.token_urlsafe(24)
            expires = self.clock() + self.token_lifetime
            self.tokens[token] = Token(user, expires)
            self.tokens_issued += 1
            return token, expires

    def token_user(self, token: str) -> str | None:
        """The user a live token belongs to; None when unknown or expired."""
        with self.lock:
            found = self.tokens.get(token)
            if found is None or found.expires <= self.clock():
                return None
            return found.user

    def revoke(self, token: str) -> None:
        """Forget a token (SSO logout)."""
        with self.lock:
            self.tokens.pop(token, None)

    # -- silence ---------------------------------------------------------------------------------

    def stall(self, seconds: float) -> None:
        """Make API requests hang for up to ``seconds`` (until ``unstall``)."""
        self._released.clear()
        self.stall_seconds = seconds

    def unstall(self) -> None:
        """Answer again, releasing the requests that hang."""
        self.stall_seconds = 0.0
        self._released.set()

    def wait_if_stalled(self) -> None:
        """Called by the app before answering an API request."""
        if self.stall_seconds > 0:
            self._released.wait(self.stall_seconds)

    # -- time ------------------------------------------------------------------------------------

    def settle(self) -> None:
        """Apply every transition whose due time has come (repeatedly: one may lead to another)."""
        with self.lock:
            now = self.clock()
            for vm in self.vms.values():
                while vm.due is not None and vm.due <= now:
                    due = vm.due
                    self._set_status(vm, VM_TRANSITIONS[vm.status][0], since=due)
            for item in (*self.templates.values(), *self.disks.values()):
                if item.due is not None and item.due <= now:
                    item.status, item.due = "ok", None

    def _set_status(self, vm: Vm, status: str, since: float | None = None) -> None:
        vm.status = status
        step = VM_TRANSITIONS.get(status)
        vm.due = (self.clock() if since is None else since) + step[1] * self.delay_scale if step else None
        if status == "up":
            vm.ip = vm.ip or f"192.0.2.{next(self._numbers) % 250 + 2}"
            vm.console_port = vm.console_port or 5900 + next(self._numbers) % 100
            vm.start_time = vm.start_time or _stamp()
        elif status == "down":
            vm.ip, vm.console_port, vm.start_time = "", 0, ""

    # -- lookups ---------------------------------------------------------------------------------

    def get(self, kind: str, id: str) -> object:
        """The object of collection ``kind`` (``vms``, ``templates``…) with ``id``; ``Fault(404)`` otherwise."""
        with self.lock:
            self.settle()
            found = getattr(self, kind).get(id)
            if found is None:
                raise Fault(404, "Not Found", f"Entity with id '{id}' not found")
            return found

    def in_data_center(self, kind: str, dc_name: str | None) -> list[object]:
        """Every object of ``kind``, or those in the data center called ``dc_name``."""
        with self.lock:
            self.settle()
            items = list(getattr(self, kind).values())
            if dc_name is None:
                return items
            dcs = {dc.id for dc in self.data_centers.values() if dc.name == dc_name}
            clusters = {c.id for c in self.clusters.values() if c.data_center_id in dcs}
            if kind == "data_centers":
                return [dc for dc in items if dc.id in dcs]
            if kind == "clusters":
                return [c for c in items if c.id in clusters]
            if kind in ("vms", "templates"):
                return [i for i in items if i.cluster_id in clusters or getattr(i, "id", "") == BLANK_ID]
            return items

    # -- changes ---------------------------------------------------------------------------------

    def add_vm(self, name: str, cluster_id: str, template_id: str, memory: int | None = None,
               cores: int | None = None, sockets: int | None = None, custom_script: str = "",
               description: str = "") -> Vm:
        """Create a VM from a template in a cluster: ``image_locked``, then ``down``."""
        with self.lock:
            self.settle()
            if cluster_id not in self.clusters:
                raise Fault(400, "Operation Failed", "[Cannot add VM. Cluster does not exist.]")
            template = self.templates.get(template_id)
            if template is None:
                raise Fault(404, "Not Found", f"Entity with id '{template_id}' not found")
            if template.status != "ok":
                raise Fault(409, "Operation Failed", "[Cannot add VM. Template is locked.]")
            if any(vm.name == name for vm in self.vms.values()):
                raise Fault(409, "Operation Failed", "[Cannot add VM. The VM name is already in use.]")
            vm = Vm(str(uuid.uuid4()), name, cluster_id, template_id, memory or template.memory,
                    cores or template.cores, sockets or template.sockets, os_type=template.os_type,
                    custom_script=custom_script, description=description, creation_time=_stamp(),
                    mac=f"00:1a:4a:16:01:{next(self._numbers) % 256:02x}")
            self.vms[vm.id] = vm
            self._set_status(vm, "image_locked")
            if template.disk_size > 0:
                disk = self.add_disk(f"{name}_Disk1", template.disk_size)
                disk.vm_id = vm.id
            return vm

    def vm_action(self, id: str, action: str) -> Vm:
        """Run ``start``, ``stop``, ``shutdown``, ``reboot`` or ``suspend``; ``Fault(409)`` in the wrong status."""
        with self.lock:
            vm = self.get("vms", id)
            assert isinstance(vm, Vm)
            allowed = {"start": ("down", "suspended"), "stop": ("up", "powering_up", "powering_down", "suspended",
                                                                "reboot_in_progress", "wait_for_launch"),
                       "shutdown": ("up",), "reboot": ("up",), "suspend": ("up",)}
            if action not in allowed:
                raise Fault(404, "Not Found", f"No action '{action}'")
            if vm.status not in allowed[action]:
                verb = {"start": "run", "shutdown": "shut down", "stop": "stop"}.get(action, action)
                raise Fault(409, "Operation Failed", f"[Cannot {verb} VM. VM is {vm.status.replace('_', ' ')}.]")
            target = {"start": "restoring_state" if vm.status == "suspended" else "wait_for_launch",
                      "stop": "down", "shutdown": "powering_down", "reboot": "reboot_in_progress",
                      "suspend": "saving_state"}[action]
            self._set_status(vm, target)
            return vm

    def remove_vm(self, id: str) -> None:
        """Remove a VM that is down, with its disks."""
        with self.lock:
            vm = self.get("vms", id)
            assert isinstance(vm, Vm)
            if vm.status not in ("down", "suspended"):
                raise Fault(409, "Operation Failed", "[Cannot remove VM. VM is running.]")
            del self.vms[id]
            for disk in [d for d in self.disks.values() if d.vm_id == id]:
                del self.disks[disk.id]

    def add_template(self, name: str, vm_id: str, description: str = "") -> Template:
        """Make a template of a VM that is down: ``locked``, then ``ok``."""
        with self.lock:
            vm = self.get("vms", vm_id)
            assert isinstance(vm, Vm)
            if vm.status != "down":
                raise Fault(409, "Operation Failed", "[Cannot add Template. VM must be down.]")
            if any(t.name == name for t in self.templates.values()):
                raise Fault(409, "Operation Failed", "[Cannot add Template. The Template name is already in use.]")
            size = sum(d.provisioned_size for d in self.disks.values() if d.vm_id == vm_id) or GiB
            template = Template(str(uuid.uuid4()), name, description, vm.cluster_id, vm.memory, vm.cores,
                                vm.sockets, vm.os_type, "locked", size, _stamp(),
                                self.clock() + LOCKED_SECONDS * self.delay_scale)
            self.templates[template.id] = template
            return template

    def remove_template(self, id: str) -> None:
        """Remove a template no VM uses; a 400 fault naming the VMs otherwise, as RHEV-M answers."""
        with self.lock:
            template = self.get("templates", id)
            assert isinstance(template, Template)
            users = sorted(vm.name for vm in self.vms.values() if vm.template_id == id)
            if id == BLANK_ID:
                raise Fault(400, "Operation Failed",
                            "[Cannot delete Template. Removing Blank Template is not allowed.]")
            if users:
                raise Fault(400, "Operation Failed", "[Cannot delete Template. Template is being used by the "
                                                     f"following VMs: {','.join(users)}.]")
            if template.status != "ok":
                raise Fault(409, "Operation Failed", "[Cannot delete Template. Template is locked.]")
            del self.templates[id]

    def add_disk(self, name: str, size: int) -> Disk:
        """A new floating disk on the first storage domain: ``locked``, then ``ok``."""
        with self.lock:
            if size <= 0:
                raise Fault(400, "Incomplete parameters", "Disk [provisionedSize] required for add")
            domain = next(iter(self.storage_domains), "")
            due = self.clock() + LOCKED_SECONDS * self.delay_scale
            disk = Disk(str(uuid.uuid4()), name, size, "locked", domain, due)
            self.disks[disk.id] = disk
            return disk

    def attach_disk(self, disk_id: str, vm_id: str) -> Disk:
        """Attach a floating disk to a VM."""
        with self.lock:
            disk = self.get("disks", disk_id)
            self.get("vms", vm_id)
            assert isinstance(disk, Disk)
            if disk.vm_id:
                raise Fault(409, "Operation Failed", "[Cannot attach Virtual Disk. The disk is already attached.]")
            if disk.status != "ok":
                raise Fault(409, "Operation Failed", "[Cannot attach Virtual Disk. Disk is locked.]")
            disk.vm_id = vm_id
            return disk

    def detach_disk(self, vm_id: str, disk_id: str) -> None:
        """Detach a disk from a VM (it stays, floating)."""
        with self.lock:
            disk = self.get("disks", disk_id)
            assert isinstance(disk, Disk)
            if disk.vm_id != vm_id:
                raise Fault(404, "Not Found", f"Entity with id '{disk_id}' not found")
            disk.vm_id = ""

    def remove_disk(self, id: str) -> None:
        """Remove a floating disk."""
        with self.lock:
            disk = self.get("disks", id)
            assert isinstance(disk, Disk)
            if disk.vm_id:
                raise Fault(409, "Operation Failed", "[Cannot remove Virtual Disk. Disk is attached to a VM.]")
            del self.disks[id]


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())


def seeded(clock: Callable[[], float] = time.monotonic, **options: object) -> Engine:
    """An engine with two data centers, a cluster in each, the Blank template and two real ones."""
    engine = Engine(clock=clock, **options)  # type: ignore[arg-type]
    engine.data_centers = {
        "dc-0001": DataCenter("dc-0001", "Default", "The default data center"),
        "dc-0002": DataCenter("dc-0002", "lab", "A second data center"),
    }
    engine.clusters = {
        "cl-0001": Cluster("cl-0001", "Default", "dc-0001", "The default server cluster"),
        "cl-0002": Cluster("cl-0002", "lab-cluster", "dc-0002"),
    }
    engine.storage_domains = {"sd-0001": "data1"}
    engine.templates = {
        BLANK_ID: Template(BLANK_ID, "Blank", "Blank template", "", disk_size=0),
        "tpl-0001": Template("tpl-0001", "rhel9", "RHEL 9 server", "cl-0001", 2048 * MiB, 1, 1, "rhel_9x64",
                             disk_size=0),
        "tpl-0002": Template("tpl-0002", "fedora", "Fedora in the lab", "cl-0002", 1024 * MiB, 2, 1, "other_linux",
                             disk_size=0),
    }
    return engine
