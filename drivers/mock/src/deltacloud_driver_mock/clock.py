"""The mock's clock: what "now" is for its time-driven state machine.

Real users get the system clock. Tests inject one they move themselves, so a test of
PENDING -> RUNNING or STOPPING -> STOPPED advances time instead of sleeping:

* in-process, a ``ManualClock`` set on the driver class (``MockDriver.clock``);
* for a real ``deltacloudd``, the driver option ``clock=FILE`` (``--driver-option mock.clock=FILE``):
  a ``FileClock`` reading the time, in epoch seconds, from ``FILE`` on every request. The test
  process moves it with ``FileClock(FILE).advance(seconds)``; every worker sees the same time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    """A source of the current time in epoch seconds."""

    def now(self) -> float:
        """The current time."""
        ...


class SystemClock:
    """The wall clock (the default)."""

    def now(self) -> float:
        """``time.time()``."""
        return time.time()


class ManualClock:
    """A clock that moves only when told to (in-process tests)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def now(self) -> float:
        """The time it was last set to."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds


class FileClock:
    """A clock kept in a file, so that a test moves the time of a server running in other processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @classmethod
    def create(cls, path: Path | str, start: float | None = None) -> FileClock:
        """Write a clock file set to ``start`` (default: now) and return its clock."""
        clock = cls(path)
        clock._write(time.time() if start is None else start)
        return clock

    def now(self) -> float:
        """The time written in the file; ``ValueError`` when it holds no number."""
        text = self.path.read_text().strip()
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"the clock file {self.path} holds {text[:40]!r}, not epoch seconds") from None

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (one writer at a time: the test)."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._write(self.now() + seconds)

    def _write(self, value: float) -> None:
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        temporary.write_text(repr(value))
        os.replace(temporary, self.path)  # readers see the old time or the new one, never half a number


SYSTEM_CLOCK = SystemClock()


def clock_option(value: str | None) -> Clock:
    """The clock the driver option ``clock`` names: unset or ``system`` for the wall clock, else a clock file.

    ``ValueError`` (the driver refuses its configuration) when the file cannot be read as a clock.
    """
    if value is None or value.strip() in ("", "system"):
        return SYSTEM_CLOCK
    clock = FileClock(value.strip())
    try:
        clock.now()
    except OSError as exc:
        raise ValueError(f"driver option 'clock': cannot read {value.strip()}: {exc.strerror}") from None
    except ValueError as exc:
        raise ValueError(f"driver option 'clock': {exc}") from None
    return clock
