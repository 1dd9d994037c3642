"""The mock instances' state machine, driven by time instead of background threads.

An instance document stores its ``state`` plus, while an automatic transition is under way,
``next_state`` and ``next_at`` (epoch seconds when it is reached). Readers derive the
effective state from the clock (``effective_state`` in Python, ``EFFECTIVE_STATE_SQL`` in
filters); writers first settle the document at the current time and then apply the action.
States are stored upper case, as the API shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltacloud.driver import StateMachine
from deltacloud.errors import ConflictError, DriverLoadError

MACHINE = StateMachine.parse("""
    start -> pending on create
    pending -> running auto
    running -> running on reboot
    running -> stopping on stop
    stopping -> stopped auto
    stopped -> pending on start
    stopped -> finish on destroy
""")

#: The automatic transitions, source to target (lower case).
AUTOMATIC: dict[str, str] = {t.source: t.target for t in MACHINE.transitions if t.automatic}
if any(target in AUTOMATIC for target in AUTOMATIC.values()):
    # The store holds one pending hop; a chain of automatic moves would need more.
    raise DriverLoadError("mock state machine: automatic transitions must not chain")

#: The effective state of a stored instance as SQL over its JSON ``body``; bind the current time.
EFFECTIVE_STATE_SQL = ("CASE WHEN json_extract(body, '$.next_at') <= ? THEN json_extract(body, '$.next_state') "
                       "ELSE json_extract(body, '$.state') END")


def effective_state(doc: Mapping[str, Any], now: float) -> str:
    """The state ``doc`` is in at time ``now``: its pending target once that is due."""
    next_at = doc.get("next_at")
    if next_at is not None and next_at <= now:
        return doc["next_state"]
    return doc["state"]


def enter(doc: Mapping[str, Any], state: str, now: float, delay: float) -> dict[str, Any]:
    """A copy of ``doc`` put in ``state`` at ``now``, scheduling its automatic move if it has one.

    With no delay the automatic move is made at once, within the request, as the original mock
    did: a create answers RUNNING and a stop STOPPED.
    """
    target = AUTOMATIC.get(state.lower())
    if target is not None and delay <= 0:
        return dict(doc, state=target.upper(), next_state=None, next_at=None)
    result = dict(doc, state=state.upper(), next_state=None, next_at=None)
    if target is not None:
        result["next_state"], result["next_at"] = target.upper(), now + delay
    return result


def settle(doc: Mapping[str, Any], now: float) -> dict[str, Any]:
    """A copy of ``doc`` with any automatic transition due by ``now`` made permanent."""
    next_at = doc.get("next_at")
    if next_at is None or next_at > now:
        return dict(doc)
    return dict(doc, state=doc["next_state"], next_state=None, next_at=None)


def create(doc: Mapping[str, Any], now: float, delay: float) -> dict[str, Any]:
    """A new instance's document in the state the ``create`` action leads to."""
    target = MACHINE.target("start", "create")
    if target is None:  # pragma: no cover - the machine above always has it
        raise DriverLoadError("mock state machine has no create transition")
    return enter(doc, target, now, delay)


def apply(doc: Mapping[str, Any], action: str, now: float, delay: float) -> dict[str, Any]:
    """``doc`` after the client ``action`` at ``now``; ``ConflictError`` when its state forbids it."""
    current = settle(doc, now)
    target = MACHINE.target(current["state"], action)
    if target is None:
        allowed = ", ".join(MACHINE.actions_for(current["state"])) or "none"
        raise ConflictError(f"Instance '{doc['id']}' is {current['state']}: cannot {action} it (allowed: {allowed})")
    return enter(current, target, now, delay)
