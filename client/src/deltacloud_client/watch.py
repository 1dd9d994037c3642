"""Watching instances: a summary by state, then each change as it happens.

:func:`changes` polls the instance list with conditional GETs and yields a :class:`Change` for
every instance that appeared, changed state or disappeared since the last poll. It runs until the
caller stops iterating (or ``KeyboardInterrupt``); ``polls`` bounds it for scripts and tests.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deltacloud_client.client import Client
    from deltacloud_client.models import Instance


@dataclass(frozen=True)
class Change:
    """One observed change: ``kind`` is ``created``, ``changed`` or ``gone``."""

    kind: str
    instance_id: str
    name: str | None
    old_state: str | None
    new_state: str | None

    def describe(self) -> str:
        """One human line."""
        label = f"{self.instance_id}" + (f" ({self.name})" if self.name else "")
        if self.kind == "created":
            return f"{label} appeared: {self.new_state}"
        if self.kind == "gone":
            return f"{label} is gone (was {self.old_state})"
        return f"{label}: {self.old_state} -> {self.new_state}"

    def to_dict(self) -> dict[str, str | None]:
        """The change as a JSON-ready dictionary."""
        return {"event": self.kind, "id": self.instance_id, "name": self.name, "from": self.old_state,
                "to": self.new_state}


def summary(instances: list[Instance]) -> dict[str, int]:
    """How many instances are in each state, states sorted by name."""
    counts = Counter(inst.state for inst in instances)
    return dict(sorted(counts.items()))


def describe_summary(counts: dict[str, int]) -> str:
    """``4 instances: RUNNING 3, STOPPED 1``."""
    total = sum(counts.values())
    detail = ", ".join(f"{state} {count}" for state, count in counts.items())
    noun = "instance" if total == 1 else "instances"
    return f"{total} {noun}" + (f": {detail}" if detail else "")


def diff(before: dict[str, Instance], after: dict[str, Instance]) -> list[Change]:
    """The changes between two snapshots (id -> instance), in id order."""
    found = []
    for ident in sorted(set(before) | set(after)):
        old, new = before.get(ident), after.get(ident)
        if old is None and new is not None:
            found.append(Change("created", ident, new.name, None, new.state))
        elif new is None and old is not None:
            found.append(Change("gone", ident, old.name, old.state, None))
        elif old is not None and new is not None and old.state != new.state:
            found.append(Change("changed", ident, new.name, old.state, new.state))
    return found


def changes(client: Client, interval: float = 1.0, *, polls: int | None = None,
            start: dict[str, Instance] | None = None,
            sleep: Callable[[float], None] = time.sleep) -> Iterator[Change]:
    """Yield each change of the instances, polling every ``interval`` seconds (``polls`` times at most).

    ``start`` is the snapshot to compare the first poll with (by default, the list now).
    """
    known = start if start is not None else {inst.id: inst for inst in client.instances()}
    done = 0
    while polls is None or done < polls:
        sleep(interval)
        done += 1
        now = {inst.id: inst for inst in client.instances()}
        yield from diff(known, now)
        known = now
