"""Provider strings, the state mapping, and the pooling of libcloud driver objects per credentials."""

from __future__ import annotations

import threading

import pytest

from deltacloud.driver.toolkit import POOL
from deltacloud.errors import AuthenticationError, ValidationError
from deltacloud.models import Credentials
from deltacloud_driver_ec2 import Ec2Driver, states
from deltacloud_driver_ec2.providers import known_providers, parse_provider


def test_region_providers():
    target = parse_provider("eu-west-1")
    assert (target.region, target.custom) == ("eu-west-1", False)
    assert target.ec2.url == "https://ec2.eu-west-1.amazonaws.com"
    assert target.elb.host == "elasticloadbalancing.eu-west-1.amazonaws.com"
    assert parse_provider(None).region == "us-east-1"


def test_endpoint_providers():
    target = parse_provider("http://127.0.0.1:5000")
    assert (target.region, target.custom, target.ec2.url) == ("us-east-1", True, "http://127.0.0.1:5000")
    assert target.s3 == target.ec2 == target.elb
    split = parse_provider("https://cloud.example:8773/?region=eu-west-1&s3=http://10.0.0.6:9000")
    assert (split.region, split.ec2.port, split.ec2.secure) == ("eu-west-1", 8773, True)
    assert (split.s3.host, split.s3.port, split.s3.secure) == ("10.0.0.6", 9000, False)


@pytest.mark.parametrize("provider", ["mars-north-1", "ftp://x", "http://h:5000?color=red",
                                      "http://h:5000?region=nowhere", "http://h:99999"])
def test_bad_providers_are_400(provider):
    with pytest.raises(ValidationError):
        parse_provider(provider)


def test_known_providers_are_the_regions():
    ids = [p.id for p in known_providers()]
    assert "us-east-1" in ids and "eu-west-1" in ids and ids == sorted(ids)
    east = next(p for p in known_providers() if p.id == "us-east-1")
    assert dict(east.entrypoints)["ec2"] == "https://ec2.us-east-1.amazonaws.com"


def test_state_mapping_is_explicit():
    assert {s: states.deltacloud_state(s) for s in states.STATE_MAP} == {
        "pending": "PENDING", "running": "RUNNING", "stopping": "STOPPING", "stopped": "STOPPED",
        "shutting-down": "FINISH", "terminated": "FINISH"}
    assert states.deltacloud_state("hibernating") == "ERROR"
    machine = Ec2Driver.state_machine
    assert machine.actions_for("running") == ("reboot", "stop", "destroy")
    assert machine.actions_for("stopped") == ("start", "destroy")
    assert machine.actions_for("stopping") == () and machine.actions_for("finish") == ()


def test_driver_reuses_connections_per_credentials(driver, make_driver, moto):
    driver.realms({})
    driver.instances({})
    before = POOL.created
    make_driver().realms({})
    assert POOL.created == before, "the same credentials reuse the pooled connection"
    with pytest.raises(AuthenticationError):
        make_driver(Credentials(moto.access_key, "wrong")).realms({})
    assert POOL.created == before + 1, "other credentials get their own connection"


def test_concurrent_requests_of_one_user(driver, make_driver):
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                assert len(make_driver().realms({})) >= 2
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert POOL.idle() <= 4
