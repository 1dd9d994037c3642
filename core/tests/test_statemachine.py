"""State machines as data."""

import pytest

from deltacloud.driver import StateMachine
from deltacloud.errors import DriverLoadError

MACHINE = StateMachine.parse("""
    start -> pending on create
    pending -> running auto
    running -> running on reboot
    running -> stopping on stop
    stopping -> stopped auto
    stopped -> running on start
    stopped -> finish on destroy
""")


def test_actions_per_state():
    assert MACHINE.actions_for("RUNNING") == ("reboot", "stop")
    assert MACHINE.actions_for("stopped") == ("start", "destroy")
    assert MACHINE.actions_for("PENDING") == ()
    assert MACHINE.actions_for("start") == ()  # create is not an action on an instance
    assert MACHINE.actions_for("nonsense") == ()


def test_allows_and_target():
    assert MACHINE.allows("RUNNING", "stop")
    assert not MACHINE.allows("RUNNING", "destroy")
    assert MACHINE.target("running", "stop") == "stopping"
    assert MACHINE.target("running", "start") is None


def test_states_in_canonical_order_and_automatic_transitions():
    assert MACHINE.states == ("start", "pending", "running", "stopping", "stopped", "finish")
    assert [t.automatic for t in MACHINE.transitions_from("pending")] == [True]


@pytest.mark.parametrize("spec", ["running -> flying on stop", "running -> stopped on explode",
                                  "running -> stopped whenever"])
def test_bad_machines_fail_at_load(spec):
    with pytest.raises(DriverLoadError):
        StateMachine.parse(spec)
