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

from deltacloud.driver import StateMachine

#: GCE instance status -> Deltacloud state.
STATE_MAP: dict[str, str] = {
    "PROVISIONING": "PENDING", "STAGING": "PENDING", "RUNNING": "RUNNING", "REPAIRING": "RUNNING",
    "STOPPING": "STOPPING", "SUSPENDING": "STOPPING", "TERMINATED": "STOPPED", "SUSPENDED": "STOPPED",
}

MACHINE = StateMachine.parse("""
    start -> pending auto
    pending -> running auto
    pending -> error auto
    running -> running on reboot
    running -> stopping on stop
    running -> finish on destroy
    stopping -> stopped auto
    stopped -> running on start
    stopped -> finish on destroy
    error -> finish on destroy
""")


def deltacloud_state(status: str | None) -> str:
    """The Deltacloud state of a GCE instance status (ERROR for an unknown one)."""
    return STATE_MAP.get((status or "").strip().upper(), "ERROR")
