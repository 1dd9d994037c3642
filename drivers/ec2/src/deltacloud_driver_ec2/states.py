"""EC2's instance life cycle as a Deltacloud state machine, and the explicit state mapping.

EC2 states come from the raw ``instanceState/name`` string, never from libcloud's
``NodeState`` (which turns ``stopping`` into UNKNOWN).

| EC2 state | Deltacloud state | why |
|---|---|---|
| pending | PENDING | |
| running | RUNNING | |
| stopping | STOPPING | becomes STOPPED by itself |
| stopped | STOPPED | |
| shutting-down | FINISH | a terminate is under way: irreversible, no action is possible any more |
| terminated | FINISH | |

The original Deltacloud mapped shutting-down to STOPPED, which offered ``start`` on an
instance that can never start again. Terminated instances stay visible in EC2 for about an
hour; the driver leaves them out of listings unless the client asks for them (``state=FINISH``
or the instance's id), so a client that destroys an instance sees it go, and one that polls the
instance itself sees FINISH.
"""

from __future__ import annotations

from deltacloud.driver import StateMachine

#: EC2 instance state -> Deltacloud state.
STATE_MAP: dict[str, str] = {
    "pending": "PENDING",
    "running": "RUNNING",
    "stopping": "STOPPING",
    "stopped": "STOPPED",
    "shutting-down": "FINISH",
    "terminated": "FINISH",
}

#: What the driver reports for a state EC2 may add in future: shown as it is, no action offered.
UNKNOWN_STATE = "ERROR"

MACHINE = StateMachine.parse("""
    start -> pending auto
    pending -> running auto
    pending -> finish on destroy
    running -> running on reboot
    running -> stopping on stop
    running -> finish on destroy
    stopping -> stopped auto
    stopped -> pending on start
    stopped -> finish on destroy
""")


def deltacloud_state(ec2_state: str | None) -> str:
    """The Deltacloud state of an EC2 state name (ERROR for an unknown one)."""
    return STATE_MAP.get((ec2_state or "").strip().lower(), UNKNOWN_STATE)
