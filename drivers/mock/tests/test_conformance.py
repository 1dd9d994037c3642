"""The conformance suite against the mock, in-process (or against a live server with --deltacloud-url)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deltacloud_conformance.suite import *  # noqa: F403
from deltacloud_driver_mock import Store


@pytest.fixture(scope="module", autouse=True)
def _mock_storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private store with immediate automatic transitions, for this module only."""
    directory = tmp_path_factory.mktemp("mock-conformance")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DELTACLOUD_MOCK_STORAGE", str(directory))
        patch.setenv("DELTACLOUD_MOCK_DELAY", "0")
        yield directory
    Store.close_all()


@pytest.fixture(scope="session")
def dc_user_data_reader(pytestconfig: pytest.Config) -> Callable[[str], bytes | None] | None:
    """In-process, read user data back from the mock's store; a live server's store is out of reach."""
    if pytestconfig.getoption("deltacloud_url"):
        return None
    from deltacloud.models import Credentials
    from deltacloud_driver_mock import MockDriver

    return lambda id: MockDriver(Credentials("mockuser", "mockpassword")).user_data(id)


@pytest.fixture(scope="session")
def dc_bucket_location() -> str:
    """The mock keeps buckets in its realms."""
    return "eu"
