"""Fixtures of the core's tests: a tiny driver installed as a real entry point, and a test client."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import falcon.testing
import pytest

from deltacloud.config import ServerConfig
from deltacloud.http.app import create_app
from deltacloud.testing import deltacloudd_fixture, installed_entry_point

FIXTURES = Path(__file__).parent / "fixtures"

#: Real ``deltacloudd`` processes, the one way tests start a server: ``deltacloudd.start(...)`` per test,
#: ``deltacloudd_module.start(...)`` for a server a whole module shares; stopped at teardown.
deltacloudd = deltacloudd_fixture()
deltacloudd_module = deltacloudd_fixture("deltacloudd_module", "module")


@pytest.fixture
def tiny(tmp_path):
    """The tiny driver installed under the name ``tiny`` (fresh state per test)."""
    shutil.copy(FIXTURES / "tiny_driver.py", tmp_path / "tiny_driver.py")
    with installed_entry_point(tmp_path, "tiny", "tiny_driver:TinyDriver"):
        yield tmp_path


@pytest.fixture
def client(tiny):
    """A Falcon test client of an app whose default driver is ``tiny``."""
    return falcon.testing.TestClient(create_app(ServerConfig(driver="tiny")))


@pytest.fixture
def auth():
    """Headers with the tiny driver's credentials."""
    return {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
