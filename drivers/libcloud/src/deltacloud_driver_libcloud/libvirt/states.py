"""libvirt's domain life cycle as a Deltacloud state machine, and the explicit state mapping.

States come from ``virDomain.state()``, never from libcloud's ``NodeState``: libcloud maps a
shut-off domain, a paused one and one being shut down all to TERMINATED, which would offer
nothing but ``destroy`` on a domain that can simply be started again.

| libvirt state | Deltacloud state | why |
|---|---|---|
| NOSTATE (0) | PENDING | being set up; becomes RUNNING by itself |
| RUNNING (1) | RUNNING | |
| BLOCKED (2) | RUNNING | running, waiting on a resource |
| PAUSED (3) | STOPPED | frozen in memory; ``start`` resumes it |
| SHUTDOWN (4) | STOPPING | the guest is shutting down; becomes SHUT OFF by itself |
| SHUTOFF (5) | STOPPED | defined, not running; ``start`` boots it |
| CRASHED (6) | ERROR | only ``destroy`` is offered |
| PMSUSPENDED (7) | STOPPED | suspended by the guest's power management; ``start`` wakes it |

A domain may crash at any time; the machine says so on ``pending -> error`` only, because an
automatic transition out of RUNNING would tell clients to wait for RUNNING to end.
A destroyed domain is undefined and gone: it answers 404 afterwards, so FINISH is never listed.
"""

from __future__ import annotations

from deltacloud_driver_libcloud.machine import START_STOP_MACHINE

NOSTATE, RUNNING, BLOCKED, PAUSED, SHUTDOWN, SHUTOFF, CRASHED, PMSUSPENDED = range(8)

#: libvirt domain state -> Deltacloud state.
STATE_MAP: dict[int, str] = {
    NOSTATE: "PENDING",
    RUNNING: "RUNNING",
    BLOCKED: "RUNNING",
    PAUSED: "STOPPED",
    SHUTDOWN: "STOPPING",
    SHUTOFF: "STOPPED",
    CRASHED: "ERROR",
    PMSUSPENDED: "STOPPED",
}

MACHINE = START_STOP_MACHINE


def deltacloud_state(libvirt_state: int) -> str:
    """The Deltacloud state of a libvirt domain state (ERROR for one libvirt may add later)."""
    return STATE_MAP.get(libvirt_state, "ERROR")
