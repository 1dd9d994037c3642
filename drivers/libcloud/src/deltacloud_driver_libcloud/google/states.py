"""GCE's instance life cycle as a Deltacloud state machine, and the explicit state mapping.

States come from the instance's raw ``status``, never from libcloud's ``NodeState`` (which
calls STOPPING PENDING, a state that would end in STOPPED, not RUNNING).

| GCE status | Deltacloud state |
|---|---|
| PROVISIONING, STAGING | PENDING |
| RUNNING, REPAIRING | RUNNING |
| STOPPING, SUSPENDING | STOPPING |
| TERMINATED (stopped, kept), SUSPENDED | STOPPED |
| anything else | ERROR |
"""

from __future__ import annotations

from deltacloud_driver_libcloud.machine import START_STOP_MACHINE

#: GCE instance status -> Deltacloud state.
STATE_MAP: dict[str, str] = {
    "PROVISIONING": "PENDING", "STAGING": "PENDING", "RUNNING": "RUNNING", "REPAIRING": "RUNNING",
    "STOPPING": "STOPPING", "SUSPENDING": "STOPPING", "TERMINATED": "STOPPED", "SUSPENDED": "STOPPED",
}

MACHINE = START_STOP_MACHINE


def deltacloud_state(status: str | None) -> str:
    """The Deltacloud state of a GCE instance status (ERROR for an unknown one)."""
    return STATE_MAP.get((status or "").strip().upper(), "ERROR")
