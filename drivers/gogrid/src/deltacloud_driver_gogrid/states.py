"""GoGrid's server life cycle as a Deltacloud state machine, and the explicit state mapping.

GoGrid names a server's power state in ``state.name``. A server just added has no ``id`` for a
while (GoGrid assigns it later) and shows ``Off`` meanwhile: it is PENDING whatever its state
says, and it can be neither powered nor deleted until the id arrives.

| GoGrid state | Deltacloud state | why |
|---|---|---|
| (no ``id`` yet) | PENDING | just added; becomes RUNNING by itself |
| On | RUNNING | |
| Starting | PENDING | after ``power=start``; becomes RUNNING by itself |
| Restarting | PENDING | after ``power=restart``; GoGrid refuses other power calls until it is On again |
| Stopping | STOPPING | after ``power=stop``; becomes STOPPED by itself |
| Off | STOPPED | (libcloud's old driver said PENDING: wrong for a stopped server) |
| Saving, Restoring, Updating | PENDING | busy with an image or an edit; back to On by itself |
| anything else | ERROR | shown as it is, no action offered |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltacloud.driver import StateMachine

#: GoGrid server state (lower case) -> Deltacloud state, for servers that have their id.
STATE_MAP: dict[str, str] = {
    "on": "RUNNING",
    "starting": "PENDING",
    "restarting": "PENDING",
    "stopping": "STOPPING",
    "off": "STOPPED",
    "saving": "PENDING",
    "restoring": "PENDING",
    "updating": "PENDING",
}
UNKNOWN_STATE = "ERROR"

MACHINE = StateMachine.parse("""
    start -> pending auto
    pending -> running auto
    running -> pending on reboot
    running -> stopping on stop
    running -> finish on destroy
    stopping -> stopped auto
    stopped -> pending on start
    stopped -> finish on destroy
""")

#: Deltacloud action -> GoGrid's ``power`` parameter.
POWER = {"start": "start", "stop": "stop", "reboot": "restart"}


def deltacloud_state(server: Mapping[str, Any]) -> str:
    """The Deltacloud state of a GoGrid server object."""
    if server.get("id") is None:
        return "PENDING"
    state = server.get("state") or {}
    name = state.get("name") if isinstance(state, Mapping) else state
    return STATE_MAP.get(str(name or "").strip().lower(), UNKNOWN_STATE)
