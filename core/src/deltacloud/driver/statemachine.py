"""Instance state machines as data.

A driver declares its machine once; the core derives each instance's action links, refuses
actions a state does not allow (405) and publishes the machine at ``/api/instance_states``.
"""

from __future__ import annotations

from dataclasses import dataclass

from deltacloud.errors import DriverLoadError

#: The states a machine may use, in the order ``/api/instance_states`` lists them.
STATES: tuple[str, ...] = ("start", "pending", "running", "stopping", "stopped", "finish", "error")
#: The actions a machine may use; every action but ``create`` is a client action on an instance.
ACTIONS: tuple[str, ...] = ("create", "reboot", "stop", "start", "destroy")


@dataclass(frozen=True, slots=True)
class Transition:
    """A move from one state to another, on a client ``action`` or automatically (``action=None``)."""

    source: str
    target: str
    action: str | None = None

    @property
    def automatic(self) -> bool:
        """True when the cloud makes this move by itself."""
        return self.action is None


@dataclass(frozen=True)
class StateMachine:
    """The states and transitions of a driver's instances."""

    transitions: tuple[Transition, ...]

    def __post_init__(self) -> None:
        for t in self.transitions:
            for state in (t.source, t.target):
                if state not in STATES:
                    raise DriverLoadError(f"unknown instance state {state!r}; states are {', '.join(STATES)}")
            if t.action is not None and t.action not in ACTIONS:
                raise DriverLoadError(f"unknown instance action {t.action!r}; actions are {', '.join(ACTIONS)}")
        actions: dict[str, tuple[str, ...]] = {}
        for state in STATES:
            names = [t.action for t in self.transitions if t.source == state and t.action and t.action != "create"]
            actions[state] = tuple(dict.fromkeys(names))
        object.__setattr__(self, "_actions", actions)

    @classmethod
    def parse(cls, spec: str) -> StateMachine:
        """Build a machine from lines ``source -> target on action`` or ``source -> target auto``."""
        transitions = []
        for raw in spec.strip().splitlines():
            line = raw.strip()
            if not line:
                continue
            left, _, right = line.partition("->")
            target, _, rest = right.strip().partition(" ")
            rest = rest.strip()
            if rest == "auto":
                action = None
            elif rest.startswith("on "):
                action = rest[3:].strip()
            else:
                raise DriverLoadError(f"bad state machine line {line!r}: end it with 'on ACTION' or 'auto'")
            transitions.append(Transition(left.strip(), target.strip(), action))
        return cls(tuple(transitions))

    @property
    def states(self) -> tuple[str, ...]:
        """The states the machine uses, in canonical order."""
        used = {t.source for t in self.transitions} | {t.target for t in self.transitions}
        return tuple(s for s in STATES if s in used)

    def actions_for(self, state: str) -> tuple[str, ...]:
        """The client actions allowed from ``state`` (either case); none for an unknown state."""
        return self._actions.get(state.lower(), ())  # type: ignore[attr-defined]

    def allows(self, state: str, action: str) -> bool:
        """Whether ``action`` may be taken on an instance in ``state``."""
        return action in self.actions_for(state)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        """The transitions that leave ``state``, in declaration order."""
        return tuple(t for t in self.transitions if t.source == state)

    def target(self, state: str, action: str) -> str | None:
        """The state ``action`` leads to from ``state``, or None when it is not allowed."""
        for t in self.transitions:
            if t.source == state.lower() and t.action == action:
                return t.target
        return None
