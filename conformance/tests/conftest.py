"""Fixtures of the kit's self-tests: run the suite with ``pytester`` against in-memory drivers."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deltacloud.testing import deltacloudd_fixture, installed_entry_point

pytest_plugins = ["pytester"]

#: Real ``deltacloudd`` processes (``deltacloudd.start(...)``), stopped at the end of the test.
deltacloudd = deltacloudd_fixture()

DRIVERS = Path(__file__).parent / "drivers"
_COUNTER = [0]


@pytest.fixture
def install(tmp_path_factory: pytest.TempPathFactory, pytester: pytest.Pytester) -> Iterator[Callable[[str], str]]:
    """Install a class of ``memory_driver`` as a fresh entry point; returns the driver's name.

    It depends on ``pytester`` so that its teardown runs first, before pytester restores ``sys.path``.
    """
    stack: list[object] = []

    def install_driver(cls: str) -> str:
        _COUNTER[0] += 1
        name = f"{cls.lower()}{_COUNTER[0]}"
        directory = tmp_path_factory.mktemp("driver")
        module = f"memory_driver_{_COUNTER[0]}"
        shutil.copy(DRIVERS / "memory_driver.py", directory / f"{module}.py")
        context = installed_entry_point(directory, name, f"{module}:{cls}")
        context.__enter__()
        stack.append(context)
        return name

    yield install_driver
    for context in reversed(stack):
        context.__exit__(None, None, None)  # type: ignore[attr-defined]


def conftest_for(driver: str | None, features: set[str] | None, extra: str = "") -> str:
    """The ``conftest.py`` a driver author writes: driver name, credentials, pinned features."""
    lines = ["import pytest", ""]
    if driver is not None:
        lines += ["@pytest.fixture(scope='session')", "def dc_driver():", f"    return {driver!r}", ""]
    lines += ["@pytest.fixture(scope='session')", "def dc_credentials():", "    return ('u', 'p')", ""]
    if features is not None:
        lines += ["@pytest.fixture(scope='session')", "def dc_expected_features():",
                  f"    return {sorted(features)!r}", ""]
    return "\n".join(lines) + "\n" + textwrap.dedent(extra)


@pytest.fixture
def driver_conftest() -> Callable[..., str]:
    """``conftest_for``, for tests that lay out several drivers' directories themselves."""
    return conftest_for


@pytest.fixture
def suite(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Write a driver's test directory (conftest + star import) and run it in-process."""

    def run(driver: str | None, features: set[str] | None, *args: str, extra: str = "",
            select: str | None = None) -> pytest.RunResult:
        pytester.makeconftest(conftest_for(driver, features, extra))
        pytester.makepyfile(test_conformance="from deltacloud_conformance.suite import *  # noqa: F403\n")
        argv = ["-p", "no:cacheprovider", "-rfEs", *args]
        if select:
            argv += ["-k", select]
        return pytester.runpytest(*argv)

    return run
