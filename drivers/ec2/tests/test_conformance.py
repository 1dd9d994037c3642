"""The conformance suite against the ec2 driver, over HTTP, on moto reset before every test.

The fixtures that point the suite at our server (``dc_api``), give it moto's credentials
and pin the advertised features live in ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from deltacloud_conformance.suite import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("moto")


@pytest.fixture(scope="session")
def dc_user_data_reader(moto_server) -> Callable[[str], bytes | None]:
    """Read user data back from moto with boto3, independently of the driver."""
    import base64

    def read(instance_id: str) -> bytes | None:
        attribute = moto_server.client("ec2").describe_instance_attribute(InstanceId=instance_id,
                                                                          Attribute="userData")
        value = attribute.get("UserData", {}).get("Value")
        return base64.b64decode(value) if value else None

    return read
