"""Fixtures of the Azure tests: Azurite (the Azure Storage emulator) and our API over real HTTP.

Azurite comes from the npm registry, installed on first use into ``drivers/libcloud/.node``
(ignored by git); it runs for the whole session on a free loopback port with its data in a
temporary directory. Without Node.js every test here skips, saying why.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deltacloud.config import ServerConfig
from deltacloud_conformance.client import DeltacloudApi, HttpTransport
from deltacloud_conformance.lifecycle import Settings

from ..servers import AZURITE_ACCOUNT, AZURITE_KEY, ApiServer, azurite_binary, start_azurite

CREDENTIALS = (AZURITE_ACCOUNT, AZURITE_KEY)


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite's blob endpoint URL for the session."""
    binary, why = azurite_binary()
    if binary is None:
        pytest.skip(why)
    directory: Path = tmp_path_factory.mktemp("azurite")
    url, process = start_azurite(binary, directory)
    try:
        yield url
    finally:
        process.stop()


@pytest.fixture(scope="session")
def api_server(azurite: str) -> Iterator[ApiServer]:
    """The Deltacloud API (azure driver, Azurite as the operator's provider) on a free loopback port."""
    server = ApiServer.start(ServerConfig(driver="azure", provider=azurite))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(api_server: ApiServer) -> Iterator[DeltacloudApi]:
    """A client of our API with Azurite's development account."""
    transport = HttpTransport(api_server.url)
    try:
        yield DeltacloudApi(transport, CREDENTIALS)
    finally:
        transport.close()


@pytest.fixture(scope="session")
def dc_api(api_server: ApiServer) -> Iterator[DeltacloudApi]:
    """The suite talks HTTP to our server."""
    transport = HttpTransport(api_server.url)
    try:
        yield DeltacloudApi(transport, CREDENTIALS)
    finally:
        transport.close()


@pytest.fixture(scope="session")
def dc_credentials() -> tuple[str, str]:
    """Azurite's development account."""
    return CREDENTIALS


@pytest.fixture(scope="session")
def dc_expected_features() -> frozenset[str]:
    """Exactly what the azure driver advertises."""
    from deltacloud_driver_libcloud.azure import FEATURES

    return frozenset(FEATURES)


@pytest.fixture(scope="session")
def dc_settings() -> Settings:
    """Nothing here changes state by itself."""
    return Settings(state_timeout=10.0, max_launches=1)
