"""Instances through the API: launch (tracked), observe with bounded waits, walk the state machine, destroy.

Every wait is bounded by ``Settings.state_timeout`` and polls with a growing interval, so a
slow cloud is given time and a stuck one fails with the state it was stuck in. Every instance
document read here is checked at once for a state the driver's own state machine does not
know, naming the driver method that reported it; what the cloud made for an instance
(``dependents``) is tracked as it shows up.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deltacloud_conformance.client import ApiResponse, DeltacloudApi
from deltacloud_conformance.dependents import Dependents
from deltacloud_conformance.documents import Machine
from deltacloud_conformance.tracker import Tracker


@dataclass(frozen=True)
class Settings:
    """Knobs of the suite a driver's conftest or the command line may change."""

    state_timeout: float = 120.0  # longest wait for an automatic transition or a destroy
    first_poll: float = 0.02  # first pause between polls; doubles up to max_poll
    max_poll: float = 2.0
    max_launches: int = 48  # most instances the image x realm x profile test launches
    prefix: str = "dcconf"  # names of what the suite creates start with this


def poll(check: Callable[[], Any], settings: Settings, what: str) -> Any:
    """Call ``check`` until it returns something truthy; fail naming ``what`` after the timeout."""
    __tracebackhide__ = True
    deadline = time.monotonic() + settings.state_timeout
    pause = settings.first_poll
    last: Any = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {settings.state_timeout:g} s waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 2, settings.max_poll)


def driver_method(response: ApiResponse) -> str:
    """The driver method whose result an instance request answers with, for messages."""
    path = response.url.split("?", 1)[0].rstrip("/")
    tail = path.rsplit("/instances", 1)[-1].strip("/").split("/")
    if response.method == "POST" and tail == [""]:
        return "create_instance()"
    if response.method == "POST" and len(tail) == 2:
        return f"{tail[1]}_instance()"
    if tail == [""]:
        return "instances()"
    return "instance()/instances()"


def check_state(machine: Machine, element: Any, response: ApiResponse) -> str:
    """The ``<state>`` of an instance element; ``AssertionError`` at once if the state machine does not know it."""
    __tracebackhide__ = True
    state = (element.findtext("state") or "").strip()
    if state.lower() not in machine.states or state.lower() == "start":
        allowed = ", ".join(s.upper() for s in machine.states if s != "start")
        raise AssertionError(
            f"unknown state {state!r} from the driver's {driver_method(response)}; its states are {allowed} "
            f"(/api/instance_states): map the cloud's state to one of them (instance {element.get('id')}, "
            f"{response.method} {response.url})")
    return state


class Instances:
    """Instance operations of one test, all creations tracked."""

    def __init__(self, api: DeltacloudApi, machine: Machine, tracker: Tracker, settings: Settings) -> None:
        self.api, self.machine, self.tracker, self.settings = api, machine, tracker, settings
        tracker.destroyers.setdefault("instances", self.destroy)
        self.dependents = Dependents(api, tracker, settings.state_timeout)

    def _checked(self, response: ApiResponse) -> None:
        """Check the states of the instances an XML answer shows, and note what the cloud made for them."""
        if response.status not in (200, 201, 202) or response.content_type not in ("application/xml", "text/xml"):
            return
        root = response.xml()
        for element in (list(root) if root.tag == "instances" else [root] if root.tag == "instance" else []):
            check_state(self.machine, element, response)
            self.dependents.note_volumes(element)

    # -- launching -----------------------------------------------------------------------------

    def create(self, params: Mapping[str, Any], **kwargs: Any) -> ApiResponse:
        """POST /instances with ``params``, tracking whatever it creates; the raw answer."""
        self.dependents.take_baseline()
        response = self.api.post("/instances", data=params, **kwargs)
        self.tracker.track_created(response, "instances")
        self._checked(response)
        return response

    def launch(self, params: Mapping[str, Any]) -> Any:
        """Launch one instance, asserting 201 with a Location; its ``<instance>`` element."""
        __tracebackhide__ = True
        response = self.create(params).expect(201)
        root = response.xml()
        assert root.tag == "instance", f"create answered <{root.tag}>, not <instance>: {response.describe()}"
        location = response.header("location")
        assert location == root.get("href"), (
            f"Location {location!r} is not the new instance's href {root.get('href')!r}")
        return root

    # -- observing -----------------------------------------------------------------------------

    def show(self, id: str) -> ApiResponse:
        """GET the instance (any status); its state checked."""
        response = self.api.get(f"/instances/{id}")
        self._checked(response)
        return response

    def state(self, id: str) -> str | None:
        """The instance's state, upper case; None once it is gone (404)."""
        response = self.show(id)
        if response.status == 404:
            return None
        return (response.expect(200).xml().findtext("state") or "").strip()

    def wait_stable(self, id: str) -> Any:
        """Wait until the instance is in a state the cloud does not leave by itself; its element."""
        __tracebackhide__ = True
        def stable() -> Any:
            root = self.show(id).expect(200).xml()
            state = (root.findtext("state") or "").strip()
            return None if self.machine.is_transient(state) else root

        return poll(stable, self.settings, f"instance {id} to leave its transitional state")

    # -- acting --------------------------------------------------------------------------------

    def act(self, id: str, action: str) -> ApiResponse:
        """Ask for ``action``: DELETE for destroy, POST ``/<id>/<action>`` otherwise."""
        if action == "destroy":
            self.dependents.note_addresses(id)
            return self.api.delete(f"/instances/{id}")
        response = self.api.post(f"/instances/{id}/{action}")
        self._checked(response)
        return response

    def path_to_destroy(self, state: str) -> list[str] | None:
        """The shortest list of client actions from stable ``state`` to destroyed; None if there is none."""
        queue: deque[tuple[str, list[str]]] = deque([(state.lower(), [])])
        seen = {state.lower()}
        while queue:
            current, path = queue.popleft()
            for action in self.machine.actions_for(current):
                if action == "destroy":
                    return [*path, "destroy"]
                target = self.machine.target(current, action)
                for landing in self.machine.settles_into(target or current):
                    if not self.machine.is_transient(landing) and landing not in seen:
                        seen.add(landing)
                        queue.append((landing, [*path, action]))
        return None

    def destroy(self, id: str) -> None:
        """Bring the instance to a state that allows destroy (stopping it first if need be) and destroy it.

        Gone (404) or FINISH counts as destroyed. Raises ``AssertionError`` with the reason otherwise.
        """
        for _ in range(len(self.machine.states) + 2):
            state = self.state(id)
            if state is None or state.lower() == "finish":
                return
            if self.machine.is_transient(state):
                root = self.wait_stable(id)
                state = (root.findtext("state") or "").strip()
            path = self.path_to_destroy(state)
            assert path, f"instance {id} is {state}: the state machine offers no way to destroy it"
            response = self.act(id, path[0]).expect(200, 202, 204, 404)
            if path[0] == "destroy" or response.status == 404:
                self.tracker.forget("instances", id)
                return
        raise AssertionError(f"instance {id} could not be brought to a state that allows destroy")

    def wait_gone(self, id: str) -> None:
        """Wait until the instance answers 404 or shows FINISH."""
        __tracebackhide__ = True
        poll(lambda: (self.state(id) or "finish").lower() == "finish", self.settings,
             f"instance {id} to disappear after destroy")
