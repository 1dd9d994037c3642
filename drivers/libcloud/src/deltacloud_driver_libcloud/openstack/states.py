"""Nova's server life cycle as a Deltacloud state machine, and the explicit state mapping.

States come from the server's raw ``status`` in Nova's answer, never from libcloud's
``NodeState`` (which has no word for SHELVED and turns several statuses into UNKNOWN).

| Nova status | Deltacloud state | why |
|---|---|---|
| BUILD, REBUILD, RESIZE, VERIFY_RESIZE, REVERT_RESIZE, MIGRATING | PENDING | becomes ACTIVE by itself |
| ACTIVE, REBOOT, HARD_REBOOT, PASSWORD, RESCUE | RUNNING | up (a reboot keeps it RUNNING) |
| SHUTOFF, STOPPED, SUSPENDED, PAUSED, SHELVED, SHELVED_OFFLOADED | STOPPED | down; ``start`` brings it back |
| DELETED, SOFT_DELETED | FINISH | gone |
| ERROR, UNKNOWN, anything new | ERROR | only ``destroy`` is offered |
"""

from __future__ import annotations

from deltacloud.driver import StateMachine

#: Nova server status -> Deltacloud state.
STATE_MAP: dict[str, str] = {
    **dict.fromkeys(("BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE", "MIGRATING"), "PENDING"),
    **dict.fromkeys(("ACTIVE", "REBOOT", "HARD_REBOOT", "PASSWORD", "RESCUE"), "RUNNING"),
    **dict.fromkeys(("SHUTOFF", "STOPPED", "SUSPENDED", "PAUSED", "SHELVED", "SHELVED_OFFLOADED"), "STOPPED"),
    **dict.fromkeys(("DELETED", "SOFT_DELETED"), "FINISH"),
    "ERROR": "ERROR",
}

MACHINE = StateMachine.parse("""
    start -> pending auto
    pending -> running auto
    pending -> error auto
    pending -> finish on destroy
    running -> running on reboot
    running -> stopped on stop
    running -> finish on destroy
    stopped -> running on start
    stopped -> finish on destroy
    error -> finish on destroy
""")


def deltacloud_state(status: str | None) -> str:
    """The Deltacloud state of a Nova status (ERROR for an unknown one)."""
    return STATE_MAP.get((status or "").strip().upper(), "ERROR")
