"""Fixtures of the EC2 driver's tests: a local EC2/S3/ELB (moto's server), our API over HTTP, drivers.

moto runs as a subprocess on a free loopback port for the whole session, with signature
checking on (its IAM mode), so wrong credentials get the refusals AWS sends. ``reset`` wipes
every service and recreates, with moto's random generator seeded, the same IAM user, access
key and images each time: what a session-scoped fixture read (credentials, image ids)
stays valid across the resets done before each test.

The conformance kit's fixtures are overridden here to run its suite over real HTTP against
a threaded WSGI server on loopback serving the ec2 driver.
"""

from __future__ import annotations

import json
import os
import socketserver
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import boto3
import pytest
import requests

from deltacloud.config import ServerConfig
from deltacloud.driver.toolkit import POOL
from deltacloud.http.app import create_app
from deltacloud.models import Credentials
from deltacloud.testing import ServerProcess, free_port, start_process
from deltacloud_conformance.client import DeltacloudApi, HttpTransport
from deltacloud_conformance.lifecycle import Settings
from deltacloud_driver_ec2 import FEATURES, Ec2Driver

#: The account every moto resource belongs to.
ACCOUNT = "123456789012"
#: Requests moto serves before it checks signatures: the three IAM calls of ``reset``.
_SETUP_CALLS = 3
_SEED = 20261124
#: The images moto starts with (``MOTO_AMIS_PATH``): two of ours, one public image of another account.
SEED_IMAGES: list[dict[str, Any]] = [
    {"ami_id": "ami-0dc0000000000a001", "name": "dc-linux-x86", "description": "our x86_64 image",
     "owner_id": ACCOUNT, "public": False, "architecture": "x86_64", "root_device_type": "ebs",
     "virtualization_type": "hvm", "state": "available", "creation_date": "2026-01-02T03:04:05.000Z"},
    {"ami_id": "ami-0dc0000000000a002", "name": "dc-linux-arm", "description": "our arm64 image",
     "owner_id": ACCOUNT, "public": False, "architecture": "arm64", "root_device_type": "ebs",
     "virtualization_type": "hvm", "state": "available", "creation_date": "2026-01-02T03:04:05.000Z"},
    {"ami_id": "ami-0dc0000000000b001", "name": "vendor-public", "description": "a vendor's public image",
     "owner_id": "210987654321", "public": True, "architecture": "x86_64", "root_device_type": "ebs",
     "virtualization_type": "hvm", "state": "available", "creation_date": "2026-01-02T03:04:05.000Z"},
]
IMAGES = {"x86": "ami-0dc0000000000a001", "arm": "ami-0dc0000000000a002", "public": "ami-0dc0000000000b001"}
_ALLOW_ALL = json.dumps({"Version": "2012-10-17",
                         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclass
class MotoServer:
    """One moto server process and the account state ``reset`` recreates."""

    url: str
    process: ServerProcess
    access_key: str = ""
    secret_key: str = ""
    images: dict[str, str] = field(default_factory=lambda: dict(IMAGES))
    http: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def start(cls, directory: Path, timeout: float = 30.0) -> MotoServer:
        """Start moto on a free port, with the seed images only, and wait (bounded) until it answers."""
        amis = directory / "amis.json"
        amis.write_text(json.dumps(SEED_IMAGES))
        env = {**os.environ, "MOTO_AMIS_PATH": str(amis), "MOTO_ENABLE_AMI_VALIDATION": "true"}
        failure = ""
        for attempt in range(5):  # the port may be taken between choosing and binding it: try another
            port = free_port()
            try:
                process = start_process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                        f"http://127.0.0.1:{port}/moto-api/", directory / f"moto{attempt}.log",
                                        env, timeout=timeout)
            except RuntimeError as exc:
                failure = str(exc)
                continue
            server = cls(f"http://127.0.0.1:{port}", process)
            server.http.trust_env = False
            return server
        raise RuntimeError(f"moto server did not start: {failure[-2000:]}")

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop within 10 s)."""
        self.http.close()
        self.process.stop()

    @property
    def credentials(self) -> Credentials:
        """The test user's credentials as the driver takes them."""
        return Credentials(self.access_key, self.secret_key)

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """A boto3 client of this server with the test credentials (to seed and to check, independently of us)."""
        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)

    def reset(self) -> None:
        """Wipe every service (the seed images come back); recreate the IAM user and its key (the same every time)."""
        for path, data in (("reset", None), ("reset-auth", str(_SETUP_CALLS)), ("seed?a=" + str(_SEED), None)):
            self.http.post(f"{self.url}/moto-api/{path}", data=data, timeout=10).raise_for_status()
        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1",
                           aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="deltacloud-tests")
        key = iam.create_access_key(UserName="deltacloud-tests")["AccessKey"]
        iam.put_user_policy(UserName="deltacloud-tests", PolicyName="all", PolicyDocument=_ALLOW_ALL)
        self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test output."""


@dataclass
class ApiServer:
    """Our WSGI app serving the ec2 driver over real HTTP on loopback (client-sent loopback providers allowed:
    the failing-cloud tests send them)."""

    url: str
    server: Any
    thread: threading.Thread

    @classmethod
    def start(cls, provider: str) -> ApiServer:
        app = create_app(ServerConfig(driver="ec2", provider=provider, allow_private_providers=True))
        server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        return cls(f"http://127.0.0.1:{server.server_port}/api", server, thread)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


# -- the backend -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto for the whole session, reset and seeded once before anything reads from it."""
    server = MotoServer.start(tmp_path_factory.mktemp("moto"))
    try:
        server.reset()
        yield server
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """moto, reset and re-seeded for this test."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def driver(moto: MotoServer) -> Ec2Driver:
    """The EC2 driver on moto with the test credentials (a fresh backend state)."""
    return Ec2Driver(moto.credentials, moto.url)


@pytest.fixture
def make_driver(moto: MotoServer) -> Any:
    """Build a driver on moto with other credentials (or None) or another provider string."""

    def make(credentials: Credentials | None = moto.credentials, provider: str | None = moto.url) -> Ec2Driver:
        return Ec2Driver(credentials, provider)

    return make


@pytest.fixture(autouse=True)
def _empty_pool() -> Iterator[None]:
    """Each test starts with no pooled connection (so pool assertions see only their own)."""
    POOL.clear()
    yield
    POOL.clear()


# -- our API over HTTP -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def api_server(moto_server: MotoServer) -> Iterator[ApiServer]:
    """The Deltacloud API (ec2 driver, moto as the default provider) on a free loopback port."""
    server = ApiServer.start(moto_server.url)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api(api_server: ApiServer, moto: MotoServer) -> Iterator[DeltacloudApi]:
    """A client of our API with the test credentials, on a freshly reset moto."""
    transport = HttpTransport(api_server.url)
    try:
        yield DeltacloudApi(transport, (moto.access_key, moto.secret_key))
    finally:
        transport.close()


# -- the conformance kit's fixtures ------------------------------------------------------------------

@pytest.fixture(scope="session")
def dc_api(api_server: ApiServer, moto_server: MotoServer) -> Iterator[DeltacloudApi]:
    """The suite talks HTTP to our server; the credentials survive resets (seeded)."""
    transport = HttpTransport(api_server.url)
    try:
        yield DeltacloudApi(transport, (moto_server.access_key, moto_server.secret_key))
    finally:
        transport.close()


@pytest.fixture(scope="session")
def dc_credentials(moto_server: MotoServer) -> tuple[str, str]:
    """The moto IAM user's access key and secret."""
    return moto_server.access_key, moto_server.secret_key


@pytest.fixture(scope="session")
def dc_expected_features() -> frozenset[str]:
    """Exactly what the ec2 driver advertises."""
    return frozenset(FEATURES)


@pytest.fixture(scope="session")
def dc_settings() -> Settings:
    """moto changes states at once; a handful of launches covers the image/realm/profile combinations."""
    return Settings(state_timeout=20.0, max_launches=6)


@pytest.fixture(scope="session")
def dc_bucket_location() -> str:
    """A region other than the provider's, for the bucket_location feature."""
    return "eu-west-1"
