"""The compatibility layer against a scripted EC2-compatible endpoint on loopback.

The stub answers each action with a body written here, in the shapes AWS, moto or other
EC2-compatible clouds use: other namespaces, no namespace, namespaced error envelopes, a
request misrouted to S3, errors of every class. A listing must either parse or fail with
502: never come back silently empty.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from deltacloud.driver import DriverSettings
from deltacloud.errors import (
    AuthenticationError,
    BackendError,
    BackendTimeoutError,
    BackendUnavailableError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from deltacloud.models import Credentials
from deltacloud_driver_ec2 import Ec2Driver

AWS_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"

INSTANCE = """<item><instanceId>i-0abc</instanceId><imageId>ami-1</imageId>
  <instanceState><code>64</code><name>stopping</name></instanceState>
  <instanceType>t3.micro</instanceType><placement><availabilityZone>zone-a</availabilityZone></placement>
  <launchTime>2026-01-02T03:04:05.000Z</launchTime><rootDeviceType>ebs</rootDeviceType>
  <tagSet><item><key>Name</key><value>db</value></item></tagSet></item>"""


def instances_body(xmlns: str | None) -> str:
    ns = f' xmlns="{xmlns}"' if xmlns is not None else ""
    return (f"<DescribeInstancesResponse{ns}><requestId>r</requestId><reservationSet><item>"
            f"<reservationId>r-1</reservationId><ownerId>111122223333</ownerId>"
            f"<instancesSet>{INSTANCE}</instancesSet></item></reservationSet></DescribeInstancesResponse>")


def error_body(code: str, message: str, xmlns: str | None = None) -> str:
    ns = f' xmlns="{xmlns}"' if xmlns else ""
    return (f"<Response{ns}><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>r</RequestID></Response>")


class Stub(ThreadingHTTPServer):
    """Answers ``answers[action] = (status, body, headers, delay)``; records every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), StubHandler)
        self.answers: dict[str, tuple[int, str, dict[str, str], float]] = {}
        self.requests: list[tuple[str, dict[str, str], dict[str, list[str]]]] = []

    def answer(self, action: str, status: int, body: str, headers: dict[str, str] | None = None,
               delay: float = 0.0) -> None:
        self.answers[action] = (status, body, headers or {}, delay)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class StubHandler(BaseHTTPRequestHandler):
    server: Stub

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        action = form.get("Action", [""])[0]
        self.server.requests.append((self.command, dict(self.headers), form))
        status, body, headers, delay = self.server.answers.get(
            action, (400, error_body("InvalidAction", f"no answer scripted for {action}"), {}, 0.0))
        time.sleep(delay)
        data = body.encode()
        self.send_response(status)
        for key, value in {"Content-Type": "text/xml", **headers}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def stub_driver(stub: Stub) -> Ec2Driver:
    return Ec2Driver(Credentials("AKIASTUB", "secret"), stub.url)


@pytest.mark.parametrize("xmlns", [AWS_NS, "http://ec2.amazonaws.com/doc/2016-11-15",
                                   "http://ec2.amazonaws.com/doc/2013-10-15/", "urn:some-private-cloud", None])
def test_any_namespace_parses(stub, stub_driver, xmlns):
    stub.answer("DescribeInstances", 200, instances_body(xmlns))
    [instance] = stub_driver.instances({})
    assert (instance.id, instance.name, instance.state, instance.realm_id) == ("i-0abc", "db", "STOPPING", "zone-a")
    assert instance.owner_id == "111122223333"


def test_a_misrouted_request_is_a_502_not_an_empty_list(stub, stub_driver):
    stub.answer("DescribeInstances", 200, '<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                                          "<Buckets/></ListAllMyBucketsResult>")
    with pytest.raises(BackendError, match="ListAllMyBucketsResult"):
        stub_driver.instances({})


def test_an_answer_without_its_list_is_a_502(stub, stub_driver):
    stub.answer("DescribeInstances", 200, f'<DescribeInstancesResponse xmlns="{AWS_NS}"><requestId>r</requestId>'
                                          "</DescribeInstancesResponse>")
    with pytest.raises(BackendError, match="reservationSet"):
        stub_driver.instances({})


def test_an_answer_that_is_not_xml_is_a_502(stub, stub_driver):
    stub.answer("DescribeAvailabilityZones", 200, "<html><body>proxy login</body>")
    with pytest.raises(BackendError):
        stub_driver.realms({})


def test_void_answers_count_as_success(stub, stub_driver):
    stub.answer("RebootInstances", 200, f'<RebootInstancesResponse xmlns="{AWS_NS}"><requestId>r</requestId>'
                                        "</RebootInstancesResponse>")
    stub.answer("DescribeInstances", 200, instances_body(AWS_NS))
    assert stub_driver.reboot_instance("i-0abc").id == "i-0abc"


@pytest.mark.parametrize(("status", "code", "error"), [
    (401, "AuthFailure", AuthenticationError),
    (403, "SignatureDoesNotMatch", AuthenticationError),
    (403, "UnauthorizedOperation", ForbiddenError),
    (400, "InvalidInstanceID.NotFound", NotFoundError),
    (400, "InvalidInstanceID.Malformed", NotFoundError),
    (400, "InvalidParameterValue", ValidationError),
    (400, "MissingParameter", ValidationError),
    (400, "IncorrectInstanceState", ConflictError),
    (400, "DependencyViolation", ConflictError),
    (500, "InternalError", BackendError),
    (503, "Unavailable", BackendUnavailableError),
])
@pytest.mark.parametrize("xmlns", [None, AWS_NS])
def test_errors_are_mapped(stub, stub_driver, status, code, error, xmlns):
    stub.answer("DescribeInstances", status, error_body(code, f"the {code} message", xmlns))
    with pytest.raises(error) as info:
        stub_driver.instances({})
    if error is not AuthenticationError:
        assert code in info.value.message and "message" in info.value.message, "the backend's words are kept"


def test_throttling_is_503_with_retry_after(stub, stub_driver):
    stub.answer("DescribeInstances", 503, error_body("RequestLimitExceeded", "Request limit exceeded."))
    with pytest.raises(BackendUnavailableError) as info:
        stub_driver.instances({})
    assert info.value.status == 503 and info.value.headers["Retry-After"] == "5"
    stub.answer("DescribeInstances", 400, error_body("Throttling", "Rate exceeded"), {"Retry-After": "17"})
    with pytest.raises(BackendUnavailableError) as info:
        stub_driver.instances({})
    assert info.value.headers["Retry-After"] == "17"


def test_an_error_without_a_body_keeps_the_status(stub, stub_driver):
    stub.answer("DescribeInstances", 502, "")
    with pytest.raises(BackendError, match="502"):
        stub_driver.instances({})


def test_requests_are_signed_form_posts(stub, stub_driver):
    stub.answer("DescribeInstances", 200, instances_body(AWS_NS))
    stub_driver.instances({"realm_id": "zone-a"})
    method, headers, form = stub.requests[-1]
    assert method == "POST" and headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert form["Action"] == ["DescribeInstances"] and form["Version"] == ["2016-11-15"]
    assert form["Filter.1.Name"] == ["availability-zone"] and form["Filter.1.Value.1"] == ["zone-a"]
    authorization = headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIASTUB/")
    assert "/us-east-1/ec2/aws4_request" in authorization
    assert "user-agent" not in authorization.split("SignedHeaders=")[1].split(",")[0]
    assert "secret" not in str(headers) and "secret" not in str(form)


def test_an_unreachable_endpoint_is_a_502():
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    driver = Ec2Driver(Credentials("AKIA", "s"), f"http://127.0.0.1:{port}")
    with pytest.raises(BackendError, match="could not be reached"):
        driver.realms({})


def test_a_slow_endpoint_is_a_504(stub, stub_driver, monkeypatch):
    monkeypatch.setattr(Ec2Driver, "settings", DriverSettings(read_timeout=0.3))
    stub.answer("DescribeAvailabilityZones", 200, "<DescribeAvailabilityZonesResponse/>", delay=1.0)
    with pytest.raises(BackendTimeoutError):
        stub_driver.realms({})


def test_the_drivers_own_error_mapping_is_a_method_of_its_class():
    from libcloud.common.types import InvalidCredsError

    assert isinstance(Ec2Driver.translate_error(InvalidCredsError("no")), AuthenticationError)
    assert Ec2Driver.translate_error(ValueError("not a backend error")) is None
