"""The same client against another driver: ``deltacloudd -i ec2`` on a local EC2 (moto's server), and on
clouds that fail (a silent one: 504; a refused connection: 502)."""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Iterator

import pytest

from deltacloud_client import BackendError, BackendTimeoutError, Client, Instance, Poller

pytestmark = pytest.mark.skipif(importlib.util.find_spec("moto") is None,
                                reason="moto is not installed (requirements-dev.txt installs it)")

#: An image moto serves by default (the README's example).
AMI = "ami-04681a1dbd79675a5"


@pytest.fixture(scope="module")
def ec2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    """moto on loopback, and our server with the ec2 driver in front of it; a client of the latter."""
    from deltacloud.testing import free_port, server_environment, start_deltacloudd, start_process

    workdir = tmp_path_factory.mktemp("dcc-ec2")
    port = free_port()
    moto = start_process([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                         f"http://127.0.0.1:{port}/moto-api/", workdir / "moto.log",
                         server_environment(workdir / "home"), timeout=60)
    try:
        api = start_deltacloudd(workdir, "-P", f"http://127.0.0.1:{port}", driver="ec2", timeout=60)
        try:
            yield Client(api.url, "AKIAEXAMPLE", "secret")  # moto takes any credentials
        finally:
            api.stop()
    finally:
        moto.stop()


def test_discovery_and_listings(ec2: Client) -> None:
    assert ec2.driver == "ec2" and ec2.supports("instances") and ec2.supports("firewalls")
    assert ec2.realms() and all(r.id.startswith("us-east-1") for r in ec2.realms())
    assert ec2.image(AMI).state == "AVAILABLE"
    assert ec2.hardware_profile("t3.micro").properties


def test_launch_wait_path_and_drive(ec2: Client) -> None:
    poller = Poller(interval=0.1, max_interval=0.5)
    launched = ec2.create_instance(AMI, hwp_id="t3.micro", name="client-ec2")
    assert isinstance(launched, Instance)
    running = ec2.wait_for(launched, "RUNNING", 60, poller=poller)
    assert running is not None and running.state == "RUNNING"
    machine = ec2.instance_states()
    assert ec2.path(running, "finish") == machine.actions("running", "finish")
    assert ec2.path(running, "stopped") == ["stop"]
    stopped = ec2.drive(running, "STOPPED", 60, poller=poller)
    assert stopped is not None and stopped.offers("start")
    performed: list[str] = []
    ec2.drive(stopped, "FINISH", 60, poller=poller, on_action=lambda inst, action: performed.append(action))
    assert performed == ["destroy"]
    gone = [i for i in ec2.instances() if i.id == launched.id]
    assert not gone or gone[0].state == "FINISH"  # EC2 lists terminated instances for a while


@pytest.fixture(scope="module")
def failing_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``deltacloudd -i ec2`` whose cloud accepts connections and never answers; and a port that refuses them."""
    from deltacloud.testing import start_deltacloudd

    workdir = tmp_path_factory.mktemp("dcc-ec2-failing")
    with socket.socket() as silent, socket.socket() as closed:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        api = start_deltacloudd(workdir, "-P", f"http://127.0.0.1:{silent.getsockname()[1]}", "--backend-timeout",
                                "1", "--connect-timeout", "1", "--allow-private-providers", driver="ec2", timeout=60)
        try:
            yield api.url, closed.getsockname()[1]
        finally:
            api.stop()


def test_a_silent_cloud_is_a_backend_timeout(failing_cloud: tuple[str, int]) -> None:
    url, _ = failing_cloud
    with pytest.raises(BackendTimeoutError) as raised:
        Client(url, "AKIAEXAMPLE", "not-a-secret").instances()
    assert raised.value.status == 504 and "not-a-secret" not in raised.value.message


def test_a_refused_connection_is_a_backend_failure(failing_cloud: tuple[str, int]) -> None:
    url, closed = failing_cloud
    client = Client(url, "AKIAEXAMPLE", "not-a-secret", provider=f"http://127.0.0.1:{closed}")
    with pytest.raises(BackendError) as raised:
        client.realms()
    assert raised.value.status == 502 and type(raised.value) is BackendError
