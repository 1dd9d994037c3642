"""Fixtures of the libvirt tests: libvirt's test hypervisor, our API over real HTTP on loopback.

The hypervisor is libvirt's built-in test driver opened from ``node.xml`` (a host with a
storage pool of two images and a network): real libvirt, through the Python binding, in the
server's own process. ``.ci/libvirt-deps`` installs Debian's libvirt and the binding when they
are missing (as root); without them every test here skips, saying why.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deltacloud.config import ServerConfig
from deltacloud_conformance.client import DeltacloudApi, HttpTransport
from deltacloud_conformance.lifecycle import Settings

from ..servers import ApiServer

ROOT = Path(__file__).resolve().parents[4]
#: The test host's description; the provider is ``test://`` + its absolute path.
NODE_XML = Path(__file__).with_name("node.xml")
NODE_URI = f"test://{NODE_XML}"
#: The credentials libvirt's test hypervisor accepts unless the operator sets others.
CREDENTIALS = ("test", "test")


def _binding() -> Any:
    try:
        import libvirt
    except ImportError:
        deps = ROOT / ".ci" / "libvirt-deps"
        subprocess.run(["sh", str(deps), sys.executable], cwd=ROOT, check=False, timeout=900)
        try:
            import libvirt
        except ImportError:
            return None
    return libvirt


LIBVIRT = _binding()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip this directory's tests, with the reason, where the libvirt binding could not be installed."""
    if LIBVIRT is not None:
        return
    skip = pytest.mark.skip(reason="libvirt Python binding missing: run .ci/libvirt-deps as root "
                                   "(Debian's libvirt-dev, then pip install libvirt-python)")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


#: The operator's configuration: the test host and test:///default are the URIs clients may use.
DRIVER_OPTIONS = {"libvirt": {"uris": f"{NODE_URI},test:///default"}}


@pytest.fixture(scope="session")
def libvirt_connections() -> Iterator[None]:
    """Close the process's libvirt connections after the session."""
    from deltacloud_driver_libcloud.libvirt.connection import CONNECTIONS

    yield
    CONNECTIONS.clear()


@pytest.fixture(scope="session")
def api_server(libvirt_connections: None) -> Iterator[ApiServer]:
    """The Deltacloud API (libvirt driver, the test host as the default provider) on a free loopback port."""
    server = ApiServer.start(ServerConfig(driver="libvirt", provider=NODE_URI, driver_options=DRIVER_OPTIONS))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(api_server: ApiServer) -> Iterator[DeltacloudApi]:
    """A client of our API with the test credentials."""
    transport = HttpTransport(api_server.url)
    try:
        yield DeltacloudApi(transport, CREDENTIALS)
    finally:
        transport.close()


# -- the conformance kit's fixtures ------------------------------------------------------------------

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
    """What the test hypervisor accepts."""
    return CREDENTIALS


@pytest.fixture(scope="session")
def dc_expected_features() -> frozenset[str]:
    """Exactly what the libvirt driver advertises."""
    from deltacloud_driver_libcloud.libvirt import FEATURES

    return frozenset(FEATURES)


@pytest.fixture(scope="session")
def dc_settings() -> Settings:
    """The test hypervisor changes states at once."""
    return Settings(state_timeout=20.0, max_launches=6)
