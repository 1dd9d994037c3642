"""oVirt VM statuses mapped explicitly to Deltacloud states, and the driver's state machine.

The map follows Apache Deltacloud's rhevm driver, with two changes: our machine has no PAUSED
state, so ``paused`` and ``suspended`` are STOPPED (``start`` resumes them); and ``migrating``
is RUNNING (the VM keeps running while it moves; it never ends in STOPPED). A status this
table does not know (a newer engine's) is STOPPED, like ``unknown``.
"""

from __future__ import annotations

from deltacloud.driver import StateMachine

#: Every ``VmStatus`` of the oVirt API model (v3 and v4), and what each is in Deltacloud.
VM_STATES: dict[str, str] = {
    "wait_for_launch": "PENDING",
    "powering_up": "PENDING",
    "reboot_in_progress": "PENDING",
    "saving_state": "PENDING",
    "restoring_state": "PENDING",
    "image_locked": "PENDING",
    "up": "RUNNING",
    "migrating": "RUNNING",
    "migrating_to": "RUNNING",
    "migrating_from": "RUNNING",
    "powering_down": "STOPPING",
    "down": "STOPPED",
    "paused": "STOPPED",
    "suspended": "STOPPED",
    "unassigned": "STOPPED",
    "not_responding": "STOPPED",
    "image_illegal": "STOPPED",
    "unknown": "STOPPED",
}

#: Template statuses as image states.
TEMPLATE_STATES: dict[str, str] = {"ok": "AVAILABLE", "locked": "PENDING", "illegal": "ERROR"}

#: A new VM is created down (image_locked, then down); start goes through wait_for_launch and
#: powering_up; stop is a graceful shutdown (powering_down); reboot passes through reboot_in_progress.
MACHINE = StateMachine.parse("""
    start -> pending on create
    pending -> stopped auto
    pending -> running auto
    stopped -> pending on start
    stopped -> finish on destroy
    running -> stopping on stop
    running -> pending on reboot
    stopping -> stopped auto
""")


def vm_state(status: str) -> str:
    """The Deltacloud state of an oVirt VM status (either case)."""
    return VM_STATES.get(status.strip().lower(), "STOPPED")


def template_state(status: str) -> str:
    """The image state of a template status; a template without one (v4 Blank) is available."""
    return TEMPLATE_STATES.get(status.strip().lower(), "AVAILABLE")
