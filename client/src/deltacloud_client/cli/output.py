"""What ``deltacloudc`` prints: human tables, JSON for scripts, and a progress line while waiting."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

from deltacloud_client.models import Resource


def table(rows: list[dict[str, str]], out: TextIO) -> None:
    """Print ``rows`` as an aligned table with a header (``(none)`` when empty)."""
    if not rows:
        print("(none)", file=out)
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r.get(c, "")) for r in rows)) for c in columns}
    print("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip(), file=out)
    for row in rows:
        print("  ".join(row.get(c, "").ljust(widths[c]) for c in columns).rstrip(), file=out)


def details(resource: Resource, out: TextIO) -> None:
    """Print one resource as ``field: value`` lines, then its actions."""
    row = resource.row()
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key.ljust(width)}  {value}", file=out)
    if resource.actions:
        print(f"{'actions'.ljust(width)}  {', '.join(resource.actions)}", file=out)


def as_json(value: Any) -> Any:
    """Models, lists of models and plain values as JSON-ready data."""
    if isinstance(value, Resource):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    return value


def emit(value: Any, fmt: str, out: TextIO) -> None:
    """Print a result: a model, a list of models, or plain data, as a table or JSON."""
    if fmt == "json":
        print(json.dumps(as_json(value), indent=2, sort_keys=True), file=out)
    elif isinstance(value, Resource):
        details(value, out)
    elif isinstance(value, list) and all(isinstance(v, Resource) for v in value):
        table([v.row() for v in value], out)
    elif isinstance(value, dict):
        for key, item in value.items():
            print(f"{key}: {item}", file=out)
    elif isinstance(value, Iterable) and not isinstance(value, str):
        for item in value:
            print(item, file=out)
    elif value is not None:
        print(value, file=out)


class Progress:
    """A progress display on stderr while waiting: one rewritten line on a terminal, a line per change elsewhere."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.last: str | None = None
        self.tty = self.stream.isatty()
        self.spin = 0

    def __call__(self, instance: Any, state: str) -> None:
        """Show the state just seen (the signature of ``wait_for``'s ``progress``)."""
        elapsed = time.monotonic() - self.started
        if self.tty:
            self.spin += 1
            mark = "|/-\\"[self.spin % 4]
            self.stream.write(f"\r{mark} {self.label}: {state} ({elapsed:.0f}s)\033[K")
            self.stream.flush()
        elif state != self.last:
            print(f"{self.label}: {state} ({elapsed:.1f}s)", file=self.stream, flush=True)
        self.last = state

    def action(self, instance: Any, action: str) -> None:
        """Announce an action about to be performed."""
        self.finish()
        print(f"{self.label}: {action}", file=self.stream, flush=True)

    def finish(self) -> None:
        """End the rewritten line on a terminal."""
        if self.tty and self.last is not None:
            self.stream.write("\n")
            self.stream.flush()
            self.last = None
