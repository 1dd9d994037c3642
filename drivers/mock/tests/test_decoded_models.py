"""The mock's decoded-model cache: correct at once after a change, and bounded by what exists, not by history."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from deltacloud.models import LaunchOptions
from deltacloud_driver_mock import MockDriver, Store
from deltacloud_driver_mock.clock import ManualClock
from deltacloud_driver_mock.decoded import DecodedModels
from deltacloud_driver_mock.driver import INSTANCE_MODELS

SEED_INSTANCES = 4  # the seed instances mockuser owns (inst0 to inst3)


def test_a_lifecycle_loop_keeps_no_more_than_what_exists(driver: MockDriver) -> None:
    """Create, show, stop, list and destroy 200 instances: what is kept follows the live instances."""
    INSTANCE_MODELS.clear()
    for _ in range(200):
        made = driver.create_instance("img1", LaunchOptions())
        assert driver.instance(made.id).state in ("PENDING", "RUNNING")
        driver.stop_instance(made.id)
        assert made.id in {i.id for i in driver.instances({})}
        assert driver.instance(made.id).state in ("STOPPING", "STOPPED")
        driver.destroy_instance(made.id)
        listed = driver.instances({})
        assert made.id not in {i.id for i in listed}
        assert len(INSTANCE_MODELS) == len(listed)
    assert len(listed) == SEED_INSTANCES


def test_single_lookups_between_listings_are_bounded() -> None:
    """Lookups that are not full listings add at most ``slack`` entries beyond the last full listing."""
    decoded: list[str] = []
    models = DecodedModels(lambda body: decoded.append(body) or body.upper(), slack=3)
    assert models.models("scope", ["a", "b"], complete=True) == ["A", "B"]
    for body in "cdefgh":
        assert models.models("scope", [body], complete=False) == [body.upper()]
    assert len(models) == 2 + 3
    assert models.models("scope", ["a", "c"], complete=True) == ["A", "C"] and len(models) == 2
    assert decoded == ["a", "b", *"cdefgh"], "a kept text is never decoded twice"
    assert models.models("other", ["a"], complete=True) == ["A"] and decoded[-1] == "a", "scopes are separate"


def test_the_store_version_changes_with_every_commit_from_anywhere(tmp_path: Path) -> None:
    """Equal tokens mean nothing was committed: by this connection, another thread's, or another process's."""
    store = Store.open(tmp_path / "versioned")
    try:
        store.list("things")  # schema made
        first = store.version()
        assert first is not None and store.version() == first, "reads change nothing"
        with store.transaction() as tx:  # this connection's own commit (data_version does not show it)
            tx.insert("things", {"id": "a"})
        mine = store.version()
        assert mine != first
        with pytest.raises(RuntimeError), store.transaction() as tx:  # rolled back: counted all the same
            tx.insert("things", {"id": "b"})
            raise RuntimeError("no")
        assert store.version() != mine
        before = store.version()
        worker = threading.Thread(target=lambda: _insert(store, "c"))  # another thread: its own connection
        worker.start()
        worker.join(timeout=30)
        assert store.version() != before
        before = store.version()
        other = sqlite3.connect(store.path)  # another process's connection, as far as SQLite knows
        with other:
            other.execute("UPDATE documents SET body = ? WHERE kind = 'things' AND id = 'a'", ('{"id":"a","x":1}',))
        other.close()
        assert store.version() != before
        with store.snapshot():
            assert store.version() is None, "inside a transaction the token is unknown"
    finally:
        store.close()


def _insert(store: Store, id: str) -> None:
    with store.transaction() as tx:
        tx.insert("things", {"id": id})


def test_with_every_cache_off_each_listing_reads_and_decodes_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTACLOUD_CACHE", "off")
    decoded: list[str] = []
    models = DecodedModels(lambda text: decoded.append(text) or text.upper())
    first = models.listing("scope", (1, 5, 0), lambda: ["a", "b"])
    again = models.listing("scope", (1, 5, 0), lambda: ["a", "b"])
    assert first == again == ["A", "B"] and first is not again
    assert decoded == ["a", "b", "a", "b"] and len(models) == 0  # decoded each time, nothing kept
    assert models.models("scope", ["c"], complete=False) == ["C"] and len(models) == 0


def test_a_listing_reads_again_only_when_the_token_changed() -> None:
    reads: list[int] = []
    models = DecodedModels(str.upper)

    def read() -> list[str]:
        reads.append(1)
        return ["a", "b"]

    first = models.listing("scope", (1, 5, 0), read)
    assert first == ["A", "B"] and models.listing("scope", (1, 5, 0), read) is first and len(reads) == 1
    assert models.listing("scope", (1, 6, 0), read) == ["A", "B"] and len(reads) == 2  # another commit
    assert models.listing("scope", (2, 6, 0), read) == ["A", "B"] and len(reads) == 3  # another connection
    assert models.listing("scope", None, read) == ["A", "B"] and len(reads) == 4  # unknown: always read


def test_listings_follow_other_threads_own_writes_and_the_clock(make_driver: Callable[..., MockDriver],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept listing is never stale: another thread's write, this thread's write and the clock show at once."""
    clock = ManualClock(start=1_000_000.0)
    monkeypatch.setattr(MockDriver, "clock", clock)
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "30")
    driver = make_driver()

    def states() -> dict[str, str]:
        return {i.id: i.state for i in driver.instances({})}

    before = states()
    assert states() == before  # the second from the kept listing
    made: list[str] = []
    worker = threading.Thread(target=lambda: made.append(make_driver().create_instance("img1", LaunchOptions()).id))
    worker.start()
    worker.join(timeout=30)
    assert states() == {**before, made[0]: "PENDING"}
    clock.advance(30)  # nothing written: the clock alone moves it
    assert states()[made[0]] == "RUNNING"
    driver.stop_instance(made[0])  # this thread's own write
    assert states()[made[0]] == "STOPPING"


def test_with_every_cache_off_listings_keep_nothing_and_still_follow_the_clock(
        make_driver: Callable[..., MockDriver], monkeypatch: pytest.MonkeyPatch) -> None:
    """``DELTACLOUD_CACHE=off``: no settled models kept either (``records.instances_at`` unused), transitions shown."""
    from deltacloud_driver_mock import records

    clock = ManualClock(start=1_000_000.0)
    monkeypatch.setattr(MockDriver, "clock", clock)
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", "30")
    monkeypatch.setattr(INSTANCE_MODELS, "enabled", False)
    INSTANCE_MODELS.clear()
    driver = make_driver()
    made = driver.create_instance("img1", LaunchOptions()).id
    settled = len(records._SETTLED)
    listed = driver.instances({})
    assert not isinstance(listed, list | tuple), "read lazily, as the server writes it (http.calls)"
    first, again = list(listed), list(driver.instances({}))
    assert first == again and all(map(lambda x, y: x is not y, first, again)), "decoded again, not reused"
    assert {i.id: i.state for i in first}[made] == "PENDING"
    clock.advance(30)
    assert {i.id: i.state for i in driver.instances({})}[made] == "RUNNING"
    assert len(records._SETTLED) == settled and len(INSTANCE_MODELS) == 0


def test_a_kept_listing_follows_each_transition_as_it_falls_due() -> None:
    """``instances_at`` reuses a kept listing's models only until the next transition among them is due."""
    from deltacloud_driver_mock import records

    def body(id: str, next_at: float | None) -> str:
        doc = {**records.new_instance(id, name=id, owner="u", image_id="img1", realm_id="us", profile_id="m1-small",
                                      overrides={}, keyname=None, user_data=None, now=0.0),
               "state": "PENDING" if next_at else "RUNNING", "next_state": "RUNNING" if next_at else None,
               "next_at": next_at}
        return json.dumps(doc)

    stored = [records.StoredInstance(body("a", 10.0)), records.StoredInstance(body("b", 20.0)),
              records.StoredInstance(body("c", None))]
    assert [i.state for i in records.instances_at(stored, 5.0)] == ["PENDING", "PENDING", "RUNNING"]
    assert [i.state for i in records.instances_at(stored, 9.9)] == ["PENDING", "PENDING", "RUNNING"]
    assert [i.state for i in records.instances_at(stored, 10.0)] == ["RUNNING", "PENDING", "RUNNING"]
    assert [i.state for i in records.instances_at(stored, 19.0)] == ["RUNNING", "PENDING", "RUNNING"]
    assert [i.state for i in records.instances_at(stored, 20.0)] == ["RUNNING", "RUNNING", "RUNNING"]
    assert [i.state for i in records.instances_at(stored, 5.0)] == ["PENDING", "PENDING", "RUNNING"], "set back"
    first = records.instances_at(stored, 30.0)
    again = records.instances_at(stored, 31.0)
    assert first == again and first is not again and all(map(lambda x, y: x is y, first, again))


def test_a_text_decoded_straight_to_its_model_is_what_the_kept_way_gives() -> None:
    """``records.instance_at`` (every cache off) and ``StoredInstance(...).at`` agree, before and after the due time."""
    from deltacloud_driver_mock import records

    docs = [records.new_instance(f"i{n}", name=f"n{n}", owner="u", image_id="img1", realm_id="us",
                                 profile_id="m1-small", overrides={"memory": "512"} if n else {}, keyname=None,
                                 user_data=None, now=0.0) for n in range(3)]
    docs[0].update(state="PENDING", next_state="RUNNING", next_at=10.0)
    docs[1].update(state="STOPPING", next_state="STOPPED", next_at=20.0)
    docs[2].update(state="RUNNING", next_state=None, next_at=None)
    for doc in docs:
        body = json.dumps(doc)
        for now in (0.0, 9.9, 10.0, 19.0, 20.0, 99.0):
            assert records.instance_at(body, now) == records.StoredInstance(body).at(now), (doc["id"], now)
