"""The time-driven state machine: PENDING -> RUNNING, STOPPING -> STOPPED, refusals in wrong states."""

from __future__ import annotations

import pytest

from deltacloud.errors import ConflictError, NotFoundError
from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import MockDriver, lifecycle
from deltacloud_driver_mock.clock import ManualClock


def test_declared_machine():
    machine = MockDriver.state_machine
    assert machine.states == ("start", "pending", "running", "stopping", "stopped", "finish")
    assert machine.actions_for("RUNNING") == ("reboot", "stop")
    assert machine.actions_for("STOPPED") == ("start", "destroy")
    assert machine.actions_for("PENDING") == () and machine.actions_for("STOPPING") == ()
    assert [(t.source, t.target) for t in machine.transitions if t.automatic] == [
        ("pending", "running"), ("stopping", "stopped")]
    for action in ("start", "stop", "reboot", "destroy"):
        assert MockDriver.supports(f"{action}_instance")


def test_lifecycle_with_delay_zero(driver, ids):
    """With no delay the automatic transitions end within the request, as in the original mock."""
    inst = driver.create_instance("img1", LaunchOptions())
    assert inst.state == "RUNNING"
    assert driver.instance(inst.id).state == "RUNNING"
    assert driver.stop_instance(inst.id).state == "STOPPED"
    assert driver.instance(inst.id).state == "STOPPED"
    assert driver.start_instance(inst.id).state == "RUNNING"
    assert driver.instance(inst.id).state == "RUNNING"
    assert driver.reboot_instance(inst.id).state == "RUNNING"
    assert driver.instance(inst.id).state == "RUNNING"
    driver.stop_instance(inst.id)
    assert driver.destroy_instance(inst.id) is None
    assert inst.id not in ids(driver.instances({}))
    with pytest.raises(NotFoundError):
        driver.instance(inst.id)


def test_seeded_instance_stop_start(driver):
    assert driver.stop_instance("inst1").state == "STOPPED"
    assert driver.instance("inst1").state == "STOPPED"
    assert driver.start_instance("inst1").state == "RUNNING"
    assert driver.instance("inst1").state == "RUNNING"


def test_lifecycle_with_a_positive_delay(make_driver, monkeypatch):
    """The transitions take the delay on the driver's clock: advanced by the test, never waited for."""
    clock = ManualClock(start=1_000_000.0)
    monkeypatch.setattr(MockDriver, "clock", clock)
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "30")
    driver = make_driver()
    inst = driver.create_instance("img1", LaunchOptions())
    assert inst.state == "PENDING"
    assert inst.launch_time == "1970-01-12T13:46:40Z"  # the clock's time, not the wall clock's
    clock.advance(29.9)
    assert driver.instance(inst.id).state == "PENDING"
    assert [i.id for i in driver.instances({"state": "PENDING"})] == [inst.id]
    with pytest.raises(ConflictError):  # not running yet
        driver.stop_instance(inst.id)
    clock.advance(0.1)
    assert driver.instance(inst.id).state == "RUNNING"
    assert driver.instances({"state": "PENDING"}) == []
    assert make_driver().instance(inst.id).state == "RUNNING"  # another request: the same time

    assert driver.stop_instance(inst.id).state == "STOPPING"
    assert driver.instance(inst.id).state == "STOPPING"
    assert [i.id for i in driver.instances({"state": "stopping"})] == [inst.id]
    with pytest.raises(ConflictError):  # not stopped yet
        driver.destroy_instance(inst.id)
    clock.advance(30)
    assert driver.instance(inst.id).state == "STOPPED"
    assert [i.id for i in driver.instances({"state": "STOPPED"})] == [inst.id]
    driver.destroy_instance(inst.id)


def test_the_delay_is_shared_by_driver_objects(make_driver, monkeypatch):
    """Another driver object (another request, another process) sees the same clock-derived state."""
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "60")
    inst = make_driver().create_instance("img1", LaunchOptions())
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "0")
    assert make_driver().instance(inst.id).state == "PENDING"  # the stored due time counts, not the new setting


@pytest.mark.parametrize(("setup", "action"), [
    ((), "start"),  # RUNNING cannot start
    ((), "destroy"),  # RUNNING cannot be destroyed
    (("stop",), "stop"),  # STOPPED cannot stop
    (("stop",), "reboot"),  # STOPPED cannot reboot
])
def test_actions_refused_in_the_wrong_state(driver, setup, action):
    for step in setup:
        getattr(driver, f"{step}_instance")("inst2")
    before = driver.instance("inst2")
    with pytest.raises(ConflictError):
        getattr(driver, f"{action}_instance")("inst2")
    assert driver.instance("inst2") == before


def test_actions_on_unknown_instances(driver):
    for action in ("start", "stop", "reboot", "destroy"):
        with pytest.raises(NotFoundError):
            getattr(driver, f"{action}_instance")("inst99")


def test_effective_state_rules():
    doc = {"id": "x", "state": "PENDING", "next_state": "RUNNING", "next_at": 100.0}
    assert lifecycle.effective_state(doc, 99.9) == "PENDING"
    assert lifecycle.effective_state(doc, 100.0) == "RUNNING"
    assert lifecycle.settle(doc, 100.0) == {"id": "x", "state": "RUNNING", "next_state": None, "next_at": None}
    assert lifecycle.settle(doc, 50.0) == doc
    stopped = lifecycle.apply(lifecycle.settle(doc, 100.0), "stop", 200.0, 5.0)
    assert (stopped["state"], stopped["next_state"], stopped["next_at"]) == ("STOPPING", "STOPPED", 205.0)
