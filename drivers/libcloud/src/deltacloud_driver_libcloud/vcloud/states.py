"""vCloud's vApp life cycle as a Deltacloud state machine, and the explicit state mapping.

States come from the vApp's raw ``status`` attribute, never from libcloud's ``NodeState``
(which calls a resolved, a deployed and a suspended vApp all PENDING, and they never become
anything else by themselves).

| vApp status | Deltacloud state | why |
|---|---|---|
| -1 FAILED_CREATION | ERROR | only ``destroy`` |
| 0 UNRESOLVED, 5 WAITING_FOR_INPUT, 10 MIXED | PENDING | being made or changing |
| 1 RESOLVED, 2 DEPLOYED, 3 SUSPENDED, 8 POWERED_OFF | STOPPED | not running; ``start`` deploys and powers it on |
| 4 POWERED_ON | RUNNING | |
| 6 UNKNOWN, 7 UNRECOGNIZED, 9 INCONSISTENT_STATE, anything new | ERROR | only ``destroy`` |
"""

from __future__ import annotations

from deltacloud.driver import StateMachine

#: vApp status -> Deltacloud state.
STATE_MAP: dict[str, str] = {
    "-1": "ERROR", "0": "PENDING", "1": "STOPPED", "2": "STOPPED", "3": "STOPPED", "4": "RUNNING",
    "5": "PENDING", "6": "ERROR", "7": "ERROR", "8": "STOPPED", "9": "ERROR", "10": "PENDING",
}

MACHINE = StateMachine.parse("""
    start -> pending auto
    pending -> running auto
    pending -> error auto
    running -> running on reboot
    running -> stopped on stop
    running -> finish on destroy
    stopped -> running on start
    stopped -> finish on destroy
    error -> finish on destroy
""")


def deltacloud_state(status: str | None) -> str:
    """The Deltacloud state of a vApp status (ERROR for an unknown one)."""
    return STATE_MAP.get((status or "").strip(), "ERROR")
