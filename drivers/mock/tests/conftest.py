"""Fixtures of the mock driver's tests: a private storage directory per test, drivers, helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deltacloud.models import Credentials
from deltacloud.testing import deltacloudd_fixture
from deltacloud_driver_mock import MockDriver, Store

MOCK_CREDENTIALS = Credentials("mockuser", "mockpassword")

#: Real ``deltacloudd`` processes, the one way tests start a server: ``deltacloudd.start(...)`` per test,
#: ``deltacloudd_module.start(...)`` for a server a whole module shares; stopped at teardown.
deltacloudd = deltacloudd_fixture()
deltacloudd_module = deltacloudd_fixture("deltacloudd_module", "module")


@pytest.fixture
def storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh storage directory for this test, with immediate automatic transitions (delay 0)."""
    directory = tmp_path / "mock-storage"
    monkeypatch.setenv("DELTACLOUD_MOCK_STORAGE", str(directory))
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "0")
    yield directory
    Store.close_all()


@pytest.fixture
def make_driver(storage: Path) -> Callable[..., MockDriver]:
    """Build a driver on the test's storage; pass credentials, or None for an anonymous request."""

    def make(credentials: Credentials | None = MOCK_CREDENTIALS) -> MockDriver:
        return MockDriver(credentials)

    return make


@pytest.fixture
def driver(make_driver: Callable[..., MockDriver]) -> MockDriver:
    """A driver authenticated as ``mockuser``."""
    return make_driver()


@pytest.fixture
def ids() -> Callable[..., list[str]]:
    """The ids of an iterable of models, in order."""
    return lambda items: [item.id for item in items]


@pytest.fixture
def api(storage: Path):
    """A falcon test client of an app whose default driver is the mock, on the test's storage."""
    import falcon.testing

    from deltacloud.config import ServerConfig
    from deltacloud.http.app import create_app

    return falcon.testing.TestClient(create_app(ServerConfig(driver="mock")))


@pytest.fixture
def mock_auth() -> dict[str, str]:
    """Basic credentials of mockuser."""
    import base64

    return {"Authorization": "Basic " + base64.b64encode(b"mockuser:mockpassword").decode()}


# -- the conformance kit (deltacloud-conformance): how its suite reaches the mock ------------------
# test_conformance.py star-imports the suite; these session fixtures tell it which driver to load
# in-process, as whom, and which features the mock must advertise (exactly).

MOCK_FEATURES = frozenset({
    "user_name", "user_data", "authentication_key", "realm_filter", "instance_count",
    "import_key", "image_name", "image_description", "owner_id", "bucket_location",
    "firewalls", "metrics", "register_to_load_balancer", "volume_name", "volume_description", "attach_snapshot",
})


@pytest.fixture(scope="session")
def dc_driver() -> str:
    """The suite loads the mock in-process (unless --deltacloud-url points at a live server)."""
    return "mock"


@pytest.fixture(scope="session")
def dc_credentials() -> tuple[str, str]:
    """The mock's only user."""
    return ("mockuser", "mockpassword")


@pytest.fixture(scope="session")
def dc_expected_features() -> frozenset[str]:
    """Exactly what the mock advertises at /api."""
    return MOCK_FEATURES
