"""Helpers shared by the client's tests (a module of its own: every test directory has a ``conftest``)."""

from __future__ import annotations

from pathlib import Path

USER, PASSWORD = "mockuser", "mockpassword"
#: Seconds a mock transition (PENDING->RUNNING, STOPPING->STOPPED) takes in these tests.
DELAY = "0.4"


def start_mock(workdir: Path, *extra: str, delay: str = DELAY):
    """A live mock server in ``workdir`` (its store in ``workdir/store`` unless ``extra`` says otherwise).

    Only the tests import the server; the client never does.
    """
    from deltacloud.testing import server_environment, start_deltacloudd

    workdir.mkdir(parents=True, exist_ok=True)
    env = server_environment(workdir / "home", DELTACLOUD_MOCK_DELAY=delay)
    if not any(arg == "--mock-storage" for arg in extra):
        extra = ("--mock-storage", str(workdir / "store"), *extra)
    return start_deltacloudd(workdir, *extra, env=env, timeout=60)  # a loaded machine starts slowly
