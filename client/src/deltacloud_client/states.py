"""The driver's instance state machine as a client tool: read it, and find paths through it.

Read from ``/api/instance_states`` in any of its forms: XML ``<states><state name><transition
action|auto to/>``, our JSON ``{"states": [...]}`` and the original's bare JSON list. State names
are kept lower case, as the machine names them; instances report them upper case.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element


@dataclass(frozen=True)
class Transition:
    """One edge: from ``source`` to ``target``, by ``action`` or automatically (``action`` is ``None``)."""

    source: str
    target: str
    action: str | None = None

    @property
    def automatic(self) -> bool:
        """Whether the cloud takes this step by itself."""
        return self.action is None


class StateMachine:
    """States and transitions of one driver's instances."""

    def __init__(self, states: list[str], transitions: list[Transition]) -> None:
        self.states = states
        self.transitions = transitions

    @classmethod
    def from_xml(cls, root: Element) -> StateMachine:
        """Read ``<states>``."""
        states, transitions = [], []
        for state in root.findall("state"):
            name = state.get("name", "").lower()
            states.append(name)
            for edge in state.findall("transition"):
                auto = (edge.get("auto") or "").lower() == "true"
                transitions.append(Transition(name, edge.get("to", "").lower(), None if auto else edge.get("action")))
        return cls(states, transitions)

    @classmethod
    def from_json(cls, document: Any) -> StateMachine:
        """Read ``{"states": [...]}`` or the original's bare list."""
        items = document.get("states", []) if isinstance(document, dict) else document
        states, transitions = [], []
        for state in items or []:
            name = str(state.get("name", "")).lower()
            states.append(name)
            for edge in state.get("transitions") or []:
                auto = str(edge.get("auto", "")).lower() == "true"
                action = None if auto else edge.get("action")
                transitions.append(Transition(name, str(edge.get("to", "")).lower(), action))
        return cls(states, transitions)

    def knows(self, state: str) -> bool:
        """Whether ``state`` is one of the machine's states."""
        return state.lower() in self.states

    def leaving(self, state: str) -> list[Transition]:
        """The transitions out of ``state``."""
        state = state.lower()
        return [t for t in self.transitions if t.source == state]

    def path(self, source: str, target: str) -> list[Transition] | None:
        """The transitions from ``source`` to ``target`` that need the fewest actions (then the fewest steps).

        Automatic transitions cost no action. ``[]`` when ``source`` is ``target``; ``None`` when
        ``target`` cannot follow from ``source``.
        """
        source, target = source.lower(), target.lower()
        if source == target:
            return []
        queue: list[tuple[int, int, int, str, list[Transition]]] = [(0, 0, 0, source, [])]
        best: dict[str, tuple[int, int]] = {source: (0, 0)}
        counter = 0
        while queue:
            actions, steps, _, state, route = heapq.heappop(queue)
            if state == target:
                return route
            for edge in self.leaving(state):
                if edge.target == edge.source:
                    continue
                cost = (actions + (0 if edge.automatic else 1), steps + 1)
                if edge.target not in best or cost < best[edge.target]:
                    best[edge.target] = cost
                    counter += 1
                    heapq.heappush(queue, (cost[0], cost[1], counter, edge.target, [*route, edge]))
        return None

    def reachable(self, source: str, target: str) -> bool:
        """Whether ``target`` can follow from ``source`` by any transitions."""
        return self.path(source, target) is not None

    def actions(self, source: str, target: str) -> list[str] | None:
        """Only the actions of :meth:`path` (what a user must do); ``None`` when unreachable."""
        route = self.path(source, target)
        return None if route is None else [t.action for t in route if t.action]
