"""The run's summary by area (entry point, realms, instances, features…): what passes, what is missing.

The plugin feeds it every test report of the suite's tests; at the end of the run it prints one
line per area with its counts and, for an area that failed, the first reason in one line, so a
driver author sees at a glance which collection to work on next. Then it lists everything the
suite could not destroy, so an operator knows what to remove from the cloud by hand.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

SUITE_PACKAGE = "deltacloud_conformance.suite"
#: A server's error message inside an XML or JSON error document.
_MESSAGE = re.compile(r"<message><!\[CDATA\[(.*?)\]\]></message>|\"message\":\s*\"((?:[^\"\\]|\\.)*)\"", re.DOTALL)
#: The server log line the in-process transport quotes under a 500.
_SERVER_LOG = re.compile(r"server log:\s*\n(?:E\s+)?([^\n]+)")
_WIDTH = 110


@dataclass
class Area:
    """Outcomes of one area's tests."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    first_failure: str = ""
    skip_reasons: dict[str, int] = field(default_factory=dict)


def area_of(item: Any) -> str | None:
    """The area a collected test belongs to, or None when it is not one of the suite's tests."""
    cls = getattr(item, "cls", None)
    if cls is None or not any(k.__module__.startswith(SUITE_PACKAGE) for k in cls.__mro__):
        return None
    return getattr(cls, "area", None) or cls.__name__.removeprefix("Test")


def reason(text: str) -> str:
    """One line saying why a test failed: the server's log or message when there is one, else the first line."""
    logged = _SERVER_LOG.search(text)
    match = _MESSAGE.search(text)
    if logged:
        found = logged.group(1)
    elif match:
        found = match.group(1) or match.group(2) or ""
    else:
        lines = [line.strip() for line in text.splitlines() if line.strip().startswith("E ")]
        found = lines[0][1:].strip() if lines else (text.strip().splitlines() or [""])[-1]
    found = " ".join(found.split())
    return found if len(found) <= _WIDTH else found[: _WIDTH - 1] + "…"


class Summary:
    """Collects the suite's reports by area, in the order the areas were first seen."""

    def __init__(self) -> None:
        self.areas: dict[str, Area] = {}
        self.by_nodeid: dict[str, str] = {}
        self.target = ""
        self.leaks: list[str] = []  # "collection/id: why", for what a test's teardown could not destroy

    def leaked(self, nodeid: str, problems: Iterable[str]) -> None:
        """Remember what a test left in the cloud."""
        self.leaks.extend(f"{nodeid}: {problem}" for problem in problems)

    def collected(self, items: Iterable[Any]) -> None:
        """Remember the area of each of the suite's tests."""
        for item in items:
            area = area_of(item)
            if area is not None:
                self.by_nodeid[item.nodeid] = area
                self.areas.setdefault(area, Area())

    def record(self, report: Any) -> None:
        """Count one test phase's report (a setup error or teardown leak counts as a failure)."""
        name = self.by_nodeid.get(report.nodeid)
        if name is None:
            return
        area = self.areas[name]
        if report.failed:
            area.failed += 1
            if not area.first_failure:
                area.first_failure = reason(report.longreprtext)
        elif report.skipped:
            area.skipped += 1
            text = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            short = text.removeprefix("Skipped: ")
            area.skip_reasons[short] = area.skip_reasons.get(short, 0) + 1
        elif report.when == "call":
            area.passed += 1

    def lines(self) -> list[str]:
        """The summary: one line per area, then the first failure of each failing area."""
        if not any(a.passed or a.failed or a.skipped for a in self.areas.values()):
            return []
        width = max(len(name) for name in self.areas) + 2
        out = []
        for name, area in self.areas.items():
            if not (area.passed or area.failed or area.skipped):
                continue
            counts = ", ".join(f"{n} {what}" for n, what in ((area.passed, "passed"), (area.failed, "failed"),
                                                             (area.skipped, "skipped")) if n)
            mark = "FAIL" if area.failed else ("ok" if area.passed else "skip")
            out.append(f"{mark:<5}{name:<{width}}{counts}")
            if area.first_failure:
                out.append(f"{'':<5}{'':<{width}}first: {area.first_failure}")
        return out

    def leak_lines(self) -> list[str]:
        """What was left in the cloud, one line each: the test, the resource and the first line of why."""
        return [(leak.strip().splitlines() or [""])[0] for leak in self.leaks]


class SummaryPlugin:
    """The pytest hooks that feed a ``Summary`` and print it after the run (registered by the plugin)."""

    def __init__(self) -> None:
        self.summary = Summary()

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        """Note which area each collected test belongs to."""
        self.summary.collected(items)

    def pytest_runtest_logreport(self, report: Any) -> None:
        """Count each test's outcome in its area."""
        self.summary.record(report)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None]:
        """Print the areas last, after pytest's short summary, right above the final counts."""
        try:
            return (yield)
        finally:
            lines = self.summary.lines()
            if lines:
                terminalreporter.write_sep("=", "deltacloud conformance by area")
                for line in lines:
                    terminalreporter.write_line(line)
            leaks = self.summary.leak_lines()
            if leaks:
                terminalreporter.write_sep("=", f"deltacloud conformance: {len(leaks)} left in the cloud, not cleaned")
                for leak in leaks:
                    terminalreporter.write_line(leak)
