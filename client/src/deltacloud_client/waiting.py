"""Waiting for an instance's state, and driving an instance to a state through the state machine.

Polls use conditional GETs (``If-None-Match``), so an unchanged instance costs a ``304`` and no
body. The interval grows by ``backoff`` up to ``max_interval`` while nothing changes and starts
small again after a change. An instance that disappears (``404``) is in the state ``FINISH``.
``clock`` and ``sleep`` are injectable, so tests and callers decide what time is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deltacloud_client.errors import NotFoundError, UnreachableStateError, WaitTimeoutError
from deltacloud_client.models import Instance

if TYPE_CHECKING:
    from deltacloud_client.client import Client

FINISH = "FINISH"

#: Called after every poll with the instance (``None`` once it is gone) and the state seen.
Progress = Callable[[Instance | None, str], None]


@dataclass
class Poller:
    """Polling settings: first interval, growth factor, ceiling, and the clock and sleep to use."""

    interval: float = 0.1
    backoff: float = 1.5
    max_interval: float = 2.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def observe(client: Client, instance_id: str) -> tuple[Instance | None, str]:
    """The instance now (conditional GET) and its state; ``(None, "FINISH")`` once it is gone."""
    try:
        found = client.get("instances", instance_id, conditional=True)
    except NotFoundError:
        return None, FINISH
    assert isinstance(found, Instance)
    return found, found.state


def _check_reachable(client: Client, instance_id: str, state: str, wanted: str, url: str | None) -> None:
    if state == FINISH and wanted != FINISH:
        raise UnreachableStateError(f"Instance '{instance_id}' is gone (FINISH); {wanted} cannot follow",
                                    state=state, wanted=wanted, url=url)
    if not client.supports("instance_states"):
        return  # no state machine to judge by: only the timeout ends the wait
    machine = client.instance_states()
    if machine.knows(state) and machine.knows(wanted) and not machine.reachable(state, wanted):
        raise UnreachableStateError(f"Instance '{instance_id}' is {state}; {wanted} cannot follow from it",
                                    state=state, wanted=wanted, url=url)


def wait_for(client: Client, instance: Instance | str, state: str, timeout: float = 60.0, *,
             poller: Poller | None = None, progress: Progress | None = None,
             changed_from: str | None = None) -> Instance | None:
    """Poll until the instance is in ``state``; the instance then (``None`` for ``FINISH``, once gone).

    Raises :class:`UnreachableStateError` as soon as the instance is in a state from which
    ``state`` cannot follow, and :class:`WaitTimeoutError` after ``timeout`` seconds. With
    ``changed_from``, any state other than that one also ends the wait (and nothing is judged
    unreachable: the caller knows what it started).
    """
    poller = poller or Poller()
    instance_id = instance.id if isinstance(instance, Instance) else instance
    wanted = state.upper()
    deadline = poller.clock() + timeout
    interval = poller.interval
    last: str | None = None
    while True:
        current, seen = observe(client, instance_id)
        if progress:
            progress(current, seen)
        if seen == wanted or (changed_from is not None and seen != changed_from.upper()):
            return current
        url = current.href if current else None
        if changed_from is None:
            _check_reachable(client, instance_id, seen, wanted, url)
        if seen != last:
            interval, last = poller.interval, seen
        remaining = deadline - poller.clock()
        if remaining <= 0:
            raise WaitTimeoutError(f"Instance '{instance_id}' still {seen} after {timeout:g} s, not {wanted}",
                                   last_state=seen, url=url)
        poller.sleep(min(interval, remaining))
        interval = min(interval * poller.backoff, poller.max_interval)


def drive(client: Client, instance: Instance | str, state: str, timeout: float = 120.0, *,
          poller: Poller | None = None, progress: Progress | None = None,
          on_action: Callable[[Instance, str], None] | None = None) -> Instance | None:
    """Carry the instance to ``state``: perform each action of the path, waiting through automatic steps.

    The path is worked out again from the state actually reached after every step, so another
    client acting on the same instance does not derail it. Returns as :func:`wait_for` does.
    """
    poller = poller or Poller()
    instance_id = instance.id if isinstance(instance, Instance) else instance
    wanted = state.upper()
    deadline = poller.clock() + timeout
    machine = client.instance_states()
    while True:
        current, seen = observe(client, instance_id)
        if seen == wanted:
            return current
        if current is None:
            _check_reachable(client, instance_id, seen, wanted, None)
        route = machine.path(seen, wanted) if machine.knows(seen) else None
        if route is None:
            raise UnreachableStateError(f"Instance '{instance_id}' is {seen}; no path leads to {wanted}",
                                        state=seen, wanted=wanted, url=current.href if current else None)
        step = route[0]
        remaining = deadline - poller.clock()
        if remaining <= 0:
            raise WaitTimeoutError(f"Instance '{instance_id}' still {seen} after {timeout:g} s, not {wanted}",
                                   last_state=seen)
        assert current is not None
        if step.action:
            if on_action:
                on_action(current, step.action)
            current.perform(step.action)
        target = step.target.upper()
        wait_for(client, instance_id, target, remaining, poller=poller, progress=progress, changed_from=seen)
