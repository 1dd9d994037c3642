"""Waiting, path-finding and driving against a live mock server (transitions take 0.4 s there)."""

from __future__ import annotations

import pytest

from deltacloud_client import Client, Instance, Poller, UnreachableStateError, WaitTimeoutError


class FakeClock:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_state_machine_is_read_from_the_server(client: Client, json_client: Client) -> None:
    for reader in (client, json_client):
        machine = reader.instance_states()
        assert machine.states == ["start", "pending", "running", "stopping", "stopped", "finish"]
        assert [t.action for t in machine.leaving("stopped")] == ["start", "destroy"]
        assert [t.automatic for t in machine.leaving("pending")] == [True]


def test_path_answers_the_actions(client: Client, running: Instance) -> None:
    assert client.path(running, "finish") == ["stop", "destroy"]
    assert client.path(running.id, "RUNNING") == []
    assert client.path(running, "stopped") == ["stop"]
    with pytest.raises(UnreachableStateError, match="START"):
        client.path(running, "start")


def test_wait_for_polls_with_conditional_requests(client: Client, running: Instance) -> None:
    seen: list[str] = []

    def progress(instance: Instance | None, state: str) -> None:
        seen.append(state)
        if len(seen) == 3:
            running.stop()  # another client acts underneath the wait

    poller = Poller(interval=0.02, backoff=2.0, max_interval=0.08)
    before = client.transport.statuses[304]
    done = client.wait_for(running, "stopped", 20, poller=poller, progress=progress)
    assert done is not None and done.state == "STOPPED" and done.id == running.id
    assert seen[:3] == ["RUNNING"] * 3 and seen[-1] == "STOPPED"
    assert client.transport.statuses[304] - before >= 2  # unchanged polls cost a 304 each


def test_backoff_grows_to_its_ceiling(client: Client, running: Instance) -> None:
    clock = FakeClock()
    poller = Poller(interval=0.1, backoff=2.0, max_interval=0.5, clock=clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeoutError) as raised:
        client.wait_for(running, "STOPPED", 3.0, poller=poller)  # nobody stops it
    assert raised.value.last_state == "RUNNING"
    assert clock.sleeps[:4] == [0.1, 0.2, 0.4, 0.5] and max(clock.sleeps) == 0.5
    assert sum(clock.sleeps) == pytest.approx(3.0)


def test_a_state_that_cannot_follow_is_a_clear_error(client: Client, fast: Poller) -> None:
    launched = client.create_instance("img1", name="doomed")
    client.drive(launched, "FINISH", 20, poller=fast)
    with pytest.raises(UnreachableStateError) as raised:
        client.wait_for(launched, "RUNNING", 20, poller=fast)
    assert raised.value.state == "FINISH" and raised.value.wanted == "RUNNING"
    assert "cannot follow" in str(raised.value)
    assert client.wait_for(launched, "finish", 5, poller=fast) is None  # gone is FINISH


def test_drive_carries_out_the_path(client: Client, fast: Poller) -> None:
    launched = client.create_instance("img1", name="driven")
    performed: list[tuple[str, str]] = []
    states: list[str] = []
    result = client.drive(launched, "STOPPED", 30, poller=fast, progress=lambda i, s: states.append(s),
                          on_action=lambda inst, action: performed.append((inst.state, action)))
    assert result is not None and result.state == "STOPPED"
    assert performed == [("RUNNING", "stop")]  # it waited through PENDING before stopping
    assert "STOPPING" in states or states[-1] == "STOPPED"
    performed.clear()
    assert client.drive(result, "running", 30, poller=fast, on_action=lambda i, a: performed.append((i.state, a)))
    assert performed == [("STOPPED", "start")]
    performed.clear()
    assert client.drive(launched.id, "finish", 30, poller=fast,
                        on_action=lambda i, a: performed.append((i.state, a))) is None
    assert performed == [("RUNNING", "stop"), ("STOPPED", "destroy")]
    assert launched.id not in {i.id for i in client.instances()}


def test_drive_times_out_with_the_last_state(client: Client, running: Instance) -> None:
    clock = FakeClock()
    poller = Poller(interval=0.05, clock=clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeoutError):
        # The fake clock runs out long before the real 0.4 s transition is over.
        client.drive(running, "STOPPED", 0.2, poller=poller)
