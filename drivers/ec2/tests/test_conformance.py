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


_SuiteStateMachine = TestStateMachine  # noqa: F405 (from the suite)


class TestStateMachine(_SuiteStateMachine):
    """The suite's state machine tests, with the walk extended to every state that allows destroy.

    The suite's walk ends at the first destroy, so it can only take destroy from one state;
    EC2 allows it from RUNNING and from STOPPED. The walk runs as the suite wrote it; a
    destroy it could not take is then taken on a second instance brought to that state.
    """

    def test_walk_every_action(self, dc_instances, dc_offer, dc_machine) -> None:
        import re

        try:
            super().test_walk_every_action(dc_instances, dc_offer, dc_machine)
            return
        except AssertionError as exc:
            if not str(exc).startswith("actions never taken"):
                raise
            missed = re.findall(r"\('(\w+)', '(\w+)'\)", str(exc).split("\n")[0])
        assert missed and all(action == "destroy" for _, action in missed), f"actions never taken: {missed}"
        for state, _ in missed:
            id = dc_instances.launch(dc_offer.any_launch()).get("id")
            root = dc_instances.wait_stable(id)
            for _ in range(len(dc_machine.states)):
                current = (root.findtext("state") or "").strip().lower()
                if current == state:
                    break
                step = next(a for a in dc_machine.actions_for(current) if a != "destroy"
                            and state in dc_machine.settles_into(dc_machine.target(current, a) or current))
                dc_instances.act(id, step).expect(202)
                root = dc_instances.wait_stable(id)
            assert (root.findtext("state") or "").strip().lower() == state
            assert "destroy" in {link.get("rel") for link in root.findall("actions/link")}
            dc_instances.act(id, "destroy").expect(204)
            dc_instances.tracker.forget("instances", id)
            dc_instances.wait_gone(id)
