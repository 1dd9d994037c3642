"""Fixtures of the rhevm driver's tests: the fake oVirt engine and the RHEV-M replay server on loopback.

The fake engine (``rhevm_fake``) and the replay server (``rhevm_replay``) live next to the
tests; this directory is put on ``sys.path`` so they import by name (pytest runs with
``--import-mode=importlib``, which does not add it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from rhevm_fake import FakeEngine, ManualClock, seeded, serve
from rhevm_helpers import OTHER_PASSWORD, OTHER_USER, PASSWORD, USER, FakeSite


@pytest.fixture
def fake() -> Iterator[FakeSite]:
    """A fresh seeded engine with a manual clock, served for one test."""
    clock = ManualClock()
    engine = seeded(clock=clock, users={USER: PASSWORD, OTHER_USER: OTHER_PASSWORD})
    server = serve(FakeEngine(engine))
    try:
        yield FakeSite(engine, clock, server)
    finally:
        engine.unstall()
        server.stop()
