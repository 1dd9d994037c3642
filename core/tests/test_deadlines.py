"""``deltacloud.deadlines.SendDeadlines``: sends bounded by one timer, on a real event loop."""

from __future__ import annotations

import asyncio
import time

import pytest

from deltacloud.deadlines import SendDeadlines


async def _send(deadlines: SendDeadlines, wait: asyncio.Future[None]) -> str:
    """A send as ``ThreadedWSGI`` makes it: 'sent', or 'dropped' when its deadline passed."""
    task = asyncio.current_task()
    assert task is not None
    deadlines.start(task, asyncio.get_running_loop())
    try:
        await wait
    except asyncio.CancelledError:
        if not deadlines.expired(task):
            raise
        return "dropped"
    finally:
        deadlines.forget(task)
    return "sent"


def test_a_send_past_its_deadline_is_dropped_and_its_task_goes_on() -> None:
    deadlines = SendDeadlines(0.2)

    async def scenario() -> tuple[str, int, float]:
        started = time.monotonic()
        outcome = await asyncio.create_task(_send(deadlines, asyncio.get_running_loop().create_future()))
        return outcome, asyncio.current_task().cancelling(), time.monotonic() - started  # type: ignore[union-attr]

    outcome, cancelling, took = asyncio.run(scenario())
    assert outcome == "dropped" and cancelling == 0
    assert 0.2 <= took < 0.2 * 1.25 + 1  # between the limit and the limit and a check later
    assert len(deadlines) == 0 and not deadlines.watching


def test_the_dropped_task_is_not_left_cancelled() -> None:
    deadlines = SendDeadlines(0.1)

    async def scenario() -> str:
        outcome = await _send(deadlines, asyncio.get_running_loop().create_future())
        await asyncio.sleep(0.3)  # a cancellation left pending would be raised here
        return outcome

    assert asyncio.run(scenario()) == "dropped"


def test_sends_in_time_are_left_alone_and_the_timer_stops() -> None:
    deadlines = SendDeadlines(0.2)

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        waits = [loop.create_future() for _ in range(5)]
        sends = [asyncio.create_task(_send(deadlines, w)) for w in waits]
        await asyncio.sleep(0.1)
        assert len(deadlines) == 5 and deadlines.watching
        for w in waits:
            w.set_result(None)
        outcomes = await asyncio.gather(*sends)
        await asyncio.sleep(deadlines.every * 2)  # the timer's next look finds nothing and stops
        return outcomes

    assert asyncio.run(scenario()) == ["sent"] * 5
    assert len(deadlines) == 0 and not deadlines.watching


def test_only_the_late_send_of_several_is_dropped() -> None:
    deadlines = SendDeadlines(0.2)

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        late, quick = loop.create_future(), loop.create_future()
        sends = [asyncio.create_task(_send(deadlines, late)), asyncio.create_task(_send(deadlines, quick))]
        loop.call_later(0.05, quick.set_result, None)
        return await asyncio.gather(*sends)

    assert asyncio.run(scenario()) == ["dropped", "sent"]


def test_someone_elses_cancellation_goes_on() -> None:
    deadlines = SendDeadlines(30)

    async def scenario() -> None:
        send = asyncio.create_task(_send(deadlines, asyncio.get_running_loop().create_future()))
        await asyncio.sleep(0.01)
        send.cancel()
        with pytest.raises(asyncio.CancelledError):
            await send

    asyncio.run(scenario())
    assert len(deadlines) == 0


def test_a_cancellation_at_the_deadline_and_by_someone_else_goes_on() -> None:
    deadlines = SendDeadlines(0.1)

    async def scenario() -> None:
        wait: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        send = asyncio.create_task(_send(deadlines, wait))
        # called before the send's own wake-up when the deadline cancels it: a second cancellation
        wait.add_done_callback(lambda _: send.cancel())
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(send, 5)

    asyncio.run(scenario())
    assert len(deadlines) == 0


def test_one_deadline_keeper_serves_one_loop_after_another() -> None:
    deadlines = SendDeadlines(0.2)

    async def in_time() -> str:
        wait = asyncio.get_running_loop().create_future()
        wait.set_result(None)
        return await _send(deadlines, wait)

    async def late() -> str:
        return await asyncio.wait_for(_send(deadlines, asyncio.get_running_loop().create_future()), 5)

    assert asyncio.run(in_time()) == "sent"
    assert deadlines.watching  # the first loop closed with the timer still set on it
    assert asyncio.run(late()) == "dropped"  # a new loop: the timer is made again on it


def test_a_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SendDeadlines(0)
