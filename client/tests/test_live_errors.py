"""Every error class: from a live mock server where it can produce one, and the status mapping for the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from client_replay import RECORDINGS, Interaction, load, serve
from client_support import PASSWORD, USER, start_mock

from deltacloud_client import (
    ActionNotAvailableError,
    AuthenticationError,
    BackendError,
    BackendTimeoutError,
    Client,
    ClientError,
    ConflictError,
    ForbiddenError,
    Instance,
    InvalidStateError,
    NotAcceptableError,
    NotFoundError,
    NotSupportedError,
    ServerError,
    ValidationError,
)


def test_authentication(server) -> None:
    with pytest.raises(AuthenticationError) as raised:
        Client(server.url, USER, "wrong").instances()
    assert raised.value.status == 401 and raised.value.message and "wrong" not in raised.value.message
    assert raised.value.driver == "mock"


def test_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError, match="nope") as raised:
        client.instance("nope")
    assert raised.value.status == 404 and raised.value.url.endswith("/instances/nope")


def test_an_action_not_offered_is_refused_before_any_request(client: Client, running: Instance) -> None:
    sent = sum(client.transport.statuses.values())
    with pytest.raises(ActionNotAvailableError, match="destroy") as raised:
        running.destroy()
    assert sum(client.transport.statuses.values()) == sent
    assert raised.value.status is None and isinstance(raised.value, InvalidStateError)


def test_a_stale_representation_meets_the_servers_invalid_state(client: Client, running: Instance, fast) -> None:
    stopped = client.drive(running, "STOPPED", 20, poller=fast)
    assert stopped is not None and stopped.offers("destroy")
    stopped.start()  # the instance moves on; the representation we hold still offers destroy
    with pytest.raises(InvalidStateError) as raised:
        stopped.destroy()
    assert raised.value.status == 405 and "destroy" in raised.value.message


def test_validation(client: Client) -> None:
    with pytest.raises(ValidationError, match="hwp_cpu") as raised:
        client.create_instance("img1", hwp_id="m1-large", hwp_cpu="99")
    assert raised.value.status == 400
    with pytest.raises(ValidationError, match="image_id"):
        client.create("instances", hwp_id="m1-small")


def test_conflict(client: Client) -> None:
    with pytest.raises(ConflictError, match="test-key") as raised:
        client.create_key("test-key")
    assert raised.value.status == 409


def test_not_supported_is_known_locally() -> None:
    with serve(ENTRY) as replay:  # the original 1.1.3 mock: no firewalls, no load balancers
        client = Client(replay.base, USER, PASSWORD)
        assert client.collections and not client.supports("firewalls")
        sent = sum(client.transport.statuses.values())
        with pytest.raises(NotSupportedError, match="firewalls"):
            client.firewalls()
        with pytest.raises(NotSupportedError, match="load_balancers"):
            client.create_load_balancer("lb", "us", "HTTP", 80, 8080)
        assert sum(client.transport.statuses.values()) == sent and not replay.unmatched


def test_backend_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store should be")
    broken = start_mock(tmp_path / "server", "--mock-storage", str(blocker / "store"))
    try:
        with pytest.raises(BackendError) as raised:
            Client(broken.url, USER, PASSWORD).instances()
        assert raised.value.status == 502 and "storage" in raised.value.message
        assert str(blocker) not in raised.value.message
    finally:
        broken.stop()


ENTRY = [i for i in load(RECORDINGS / "deltacloud-server-1.1.3" / "mock-xml-and-json.yml")
         if i.uri == "http://localhost:3001/api" and (i.headers.get("accept") or "").endswith("xml")][:1]


def answering(status: int, body: str, content_type: str) -> list[Interaction]:
    """The recorded entry point, and ``GET /api/instances`` answered with ``status``."""
    listing = Interaction("get", "http://localhost:3001/api/instances", "",
                          {"accept": "application/xml", "authorization": "Basic x"}, status,
                          {"content-type": content_type}, body)
    return [*ENTRY, listing]


def our_error(status: int, message: str) -> str:
    """An error document as our server writes it."""
    return (f"<?xml version='1.0' encoding='utf-8' ?>\n<error status='{status}' url='/api/instances'>"
            f"<backend driver='mock' provider='default'></backend><code>{status}</code>"
            f"<message><![CDATA[{message}]]></message></error>")


@pytest.mark.parametrize(("status", "expected"), [
    (400, ValidationError), (401, AuthenticationError), (403, ForbiddenError), (404, NotFoundError),
    (405, InvalidStateError), (406, NotAcceptableError), (409, ConflictError), (412, NotSupportedError),
    (418, ClientError), (500, ServerError), (501, NotSupportedError), (502, BackendError), (503, BackendError),
    (504, BackendTimeoutError),
])
def test_every_status_has_its_class(status: int, expected: type) -> None:
    message = f"the server says {status}"
    with serve(answering(status, our_error(status, message), "application/xml")) as replay, \
            pytest.raises(expected) as raised:
        Client(replay.base, USER, PASSWORD).instances()
    assert type(raised.value) is expected
    assert (raised.value.status, raised.value.message, raised.value.driver) == (status, message, "mock")


def test_json_and_plain_text_errors_carry_the_message() -> None:
    document = json.dumps({"error": {"status": 504, "message": "The ec2 backend did not answer in time",
                                     "driver": "ec2", "provider": "us-east-1"}})
    with serve(answering(504, document, "application/json")) as replay, \
            pytest.raises(BackendTimeoutError) as raised:
        Client(replay.base, USER, PASSWORD).instances()
    assert (raised.value.message, raised.value.provider) == ("The ec2 backend did not answer in time", "us-east-1")
    capability = "The required capability to execute this operation is missing"
    with serve(answering(412, capability, "text/html;charset=utf-8")) as replay, \
            pytest.raises(NotSupportedError, match="required capability"):
        Client(replay.base, USER, PASSWORD).instances()
