"""Only mockuser/mockpassword gets in; everything but hardware profiles needs credentials."""

from __future__ import annotations

import pytest

from deltacloud.errors import AuthenticationError
from deltacloud.models import Credentials, LaunchOptions

CALLS = {
    "realms": lambda d: d.realms({}),
    "images": lambda d: d.images({}),
    "image": lambda d: d.image("img1"),
    "create_image": lambda d: d.create_image("inst0", "new-image"),
    "destroy_image": lambda d: d.destroy_image("img3"),
    "instances": lambda d: d.instances({}),
    "instance": lambda d: d.instance("inst0"),
    "create_instance": lambda d: d.create_instance("img1", LaunchOptions()),
    "stop_instance": lambda d: d.stop_instance("inst0"),
    "start_instance": lambda d: d.start_instance("inst0"),
    "reboot_instance": lambda d: d.reboot_instance("inst0"),
    "destroy_instance": lambda d: d.destroy_instance("inst0"),
    "keys": lambda d: d.keys({}),
    "key": lambda d: d.key("test-key"),
    "create_key": lambda d: d.create_key("another"),
    "destroy_key": lambda d: d.destroy_key("test-key"),
    "user_data": lambda d: d.user_data("inst0"),
}
BAD = {
    "none": None,
    "wrong password": Credentials("mockuser", "nope"),
    "wrong user": Credentials("someone", "mockpassword"),
    "empty": Credentials("", ""),
}


@pytest.mark.parametrize("credentials", BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_refused_without_the_mock_credentials(make_driver, call, credentials):
    with pytest.raises(AuthenticationError):
        call(make_driver(credentials))


def test_refused_calls_change_nothing(make_driver, driver, ids):
    for call in CALLS.values():
        with pytest.raises(AuthenticationError):
            call(make_driver(Credentials("mockuser", "wrong")))
    assert ids(driver.instances({})) == ["inst0", "inst1", "inst2", "inst3"]
    assert ids(driver.images({})) == ["img1", "img2", "img3"]
    assert ids(driver.keys({})) == ["test-key"]


def test_valid_credentials(make_driver):
    assert make_driver().valid_credentials() is True
    assert make_driver(Credentials("mockuser", "wrong")).valid_credentials() is False
