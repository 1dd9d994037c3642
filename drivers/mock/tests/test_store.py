"""The SQLite store: seeding, persistence, transactions, listings, settings."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import platformdirs
import pytest

from deltacloud.errors import BackendError
from deltacloud.models import Credentials, LaunchOptions
from deltacloud_driver_mock import MockDriver, Store
from deltacloud_driver_mock.seed import seed_documents
from deltacloud_driver_mock.settings import DEFAULT_DELAY, storage_directory, transition_delay
from deltacloud_driver_mock.store import DB_NAME


def raw(directory: Path, sql: str, *args):
    """Query the database file directly, bypassing the store."""
    with closing(sqlite3.connect(directory / DB_NAME)) as conn:
        return conn.execute(sql, args).fetchall()


def test_database_is_created_in_the_storage_directory(driver, storage):
    assert not (storage / DB_NAME).exists()  # nothing on disk until the first query
    driver.images({})
    assert (storage / DB_NAME).is_file()
    assert raw(storage, "PRAGMA journal_mode") == [("wal",)]


def test_everything_is_seeded(driver, storage):
    driver.images({})
    counts = dict(raw(storage, "SELECT kind, count(*) FROM documents GROUP BY kind"))
    assert counts == {"images": 3, "instances": 4, "keys": 1, "storage_volumes": 3, "storage_snapshots": 3,
                      "buckets": 2, "blobs": 5, "addresses": 4, "firewalls": 1, "networks": 2, "subnets": 4,
                      "network_interfaces": 2}
    store = driver.store
    assert [d["id"] for d in store.list("addresses")] == ["192.168.0.1", "192.168.0.2", "192.168.0.3", "192.168.0.4"]
    assert all(d["instance_id"] is None for d in store.list("addresses"))
    assert store.get("storage_volumes", "vol3") == {
        "id": "vol3", "realm_id": "us", "capacity": 1, "state": "IN-USE", "created": "2009-07-30T14:35:11Z",
        "instance_id": "inst1", "device": "/dev/sda1"}
    assert [(d["id"], d["storage_volume_id"]) for d in store.list("storage_snapshots")] == [
        ("snap1", "vol1"), ("snap2", "vol2"), ("snap3", "vol2")]
    assert [d["id"] for d in store.list("buckets")] == ["bucket1", "bucket2"]
    assert [d["name"] for d in store.list("blobs", fields={"bucket": "bucket2"})] == ["blob4", "blob5"]
    assert store.get("blobs", "bucket1/blob1")["user_metadata"] == {"SOMENEWKEY": "NEWVALUE"}
    assert store.get("blobs", "bucket1/blob2")["content"] == "<html><head></head><body>content of blob 2</body></html>"
    assert raw(storage, "SELECT DISTINCT owner FROM documents WHERE kind = 'instances'") == [("mockuser",)]


def test_seed_file_matches_the_original_facts():
    docs = seed_documents()
    assert [d["id"] for d in docs["images"]] == ["img1", "img2", "img3"]
    assert {d["owner_id"] for d in docs["instances"]} == {"mockuser"}
    inst0 = docs["instances"][0]
    assert (inst0["hardware_profile_id"], inst0["hardware_profile_overrides"]) == ("m1-large", {"memory": "12288"})
    assert all(len(b["content"].encode()) == b["content_length"] for b in docs["blobs"])
    assert all(b["id"] == f"{b['bucket']}/{b['name']}" for b in docs["blobs"])  # blob ids are unique per bucket


def test_state_persists_across_driver_objects(make_driver, ids):
    first = make_driver()
    inst = first.create_instance("img1", LaunchOptions(name="kept"))
    first.create_key("kept-key")
    first.stop_instance("inst0")
    second = make_driver()
    assert second.instance(inst.id).name == "kept"
    assert second.key("kept-key").fingerprint == first.key("kept-key").fingerprint
    assert second.instance("inst0").state == "STOPPED"


def test_state_persists_across_store_objects_and_is_not_reseeded(make_driver, ids):
    driver = make_driver()
    driver.stop_instance("inst0")
    driver.destroy_instance("inst0")
    driver.destroy_key("test-key")
    Store.close_all()  # as if the process restarted
    again = make_driver()
    assert again.store is not driver.store
    assert ids(again.instances({})) == ["inst1", "inst2", "inst3"]
    assert again.keys({}) == []
    assert again.create_instance("img1", LaunchOptions()).id == "inst4"


def test_open_returns_one_store_per_directory(storage, tmp_path):
    assert Store.open(storage) is Store.open(str(storage))
    assert Store.open(tmp_path / "elsewhere") is not Store.open(storage)


def test_unseeded_store_and_transactions(tmp_path):
    store = Store.open(tmp_path / "bare")
    try:
        assert store.list("things") == []
        with store.transaction() as tx:
            assert tx.insert("things", {"id": "a", "colour": "red"}, owner="u1")
            assert not tx.insert("things", {"id": "a", "colour": "blue"})
            tx.insert("things", {"id": "b", "colour": "blue", "size": 3}, owner="u2")
            tx.insert("things", {"id": "c", "colour": "red"}, owner="u1")
        assert store.get("things", "a") == {"id": "a", "colour": "red"}
        assert [d["id"] for d in store.list("things", owner="u1")] == ["a", "c"]
        assert [d["id"] for d in store.list("things", fields={"colour": "blue", "size": 3})] == ["b"]
        assert [d["id"] for d in store.list("things", where=[("json_extract(body, '$.size') > ?", (2,))])] == ["b"]
        assert store.count("things") == 3 and store.count("things", owner="u1") == 2
        with store.transaction() as tx:
            tx.put("things", {"id": "a", "colour": "green"}, owner="u1")  # keeps its place
            assert tx.delete("things", "b") and not tx.delete("things", "b")
        assert [d["colour"] for d in store.list("things")] == ["green", "red"]
        with pytest.raises(ValueError):
            store.list("things", fields={"colour') OR 1=1 --": "x"})
    finally:
        store.close()


def test_failed_transaction_rolls_back(tmp_path):
    store = Store.open(tmp_path / "rollback")
    try:
        with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
            tx.insert("things", {"id": "a"})
            tx.next_number("things")
            raise RuntimeError("boom")
        assert store.get("things", "a") is None
        with store.transaction() as tx:
            assert tx.next_number("things") == 1
            assert tx.next_number("things") == 2
            with pytest.raises(RuntimeError, match="nest"), store.transaction():
                pass
        with store.transaction() as tx:
            assert tx.next_number("things") == 3
    finally:
        store.close()


def test_writes_are_committed_when_the_method_returns(driver, storage):
    inst = driver.create_instance("img1", LaunchOptions(name="durable"))
    rows = raw(storage, "SELECT body FROM documents WHERE kind = 'instances' AND id = ?", inst.id)
    assert json.loads(rows[0][0])["name"] == "durable"


def test_connections_are_per_thread(driver):
    import threading

    seen = {}

    def work(name):
        seen[name] = (driver.store._conn(), len(driver.instances({})))

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["a"][1] == seen["b"][1] == 4
    assert seen["a"][0] is not seen["b"][0]
    assert driver.store._conn() is driver.store._conn()
    assert driver.store._conn() not in (seen["a"][0], seen["b"][0])


def test_storage_directory_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("DELTACLOUD_MOCK_STORAGE", str(tmp_path))
    assert storage_directory() == tmp_path
    monkeypatch.delenv("DELTACLOUD_MOCK_STORAGE")
    assert storage_directory() == Path(platformdirs.user_data_dir("deltacloud")) / "mock"


@pytest.mark.parametrize(("text", "expected"), [(None, DEFAULT_DELAY), ("", DEFAULT_DELAY), ("0", 0.0), ("0.25", 0.25)])
def test_delay_setting(monkeypatch, text, expected):
    if text is None:
        monkeypatch.delenv("DELTACLOUD_MOCK_DELAY", raising=False)
    else:
        monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", text)
    assert transition_delay() == expected


@pytest.mark.parametrize("text", ["soon", "-1", "nan", "inf"])
def test_bad_delay_setting(monkeypatch, storage, text):
    monkeypatch.setenv("DELTACLOUD_MOCK_DELAY", text)
    with pytest.raises(ValueError, match="DELTACLOUD_MOCK_DELAY"):
        MockDriver(None)


def test_listings_are_one_indexed_query_without_a_sort(driver):
    driver.images({})
    conn = driver.store._conn()
    for sql, args in [
        ("SELECT body FROM documents WHERE kind = ? ORDER BY rowid", ("images",)),
        ("SELECT body FROM documents WHERE kind = ? AND owner = ? ORDER BY rowid", ("instances", "mockuser")),
    ]:
        plan = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "USING INDEX" in plan and "TEMP B-TREE" not in plan, plan


def test_bodies_are_the_stored_json(driver):
    bodies = driver.store.bodies("keys")
    assert [json.loads(b) for b in bodies] == driver.store.list("keys")
    assert json.loads(bodies[0])["id"] == "test-key"


def test_unusable_storage_directory(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DELTACLOUD_MOCK_STORAGE", str(blocker / "mock"))
    try:
        driver = MockDriver(Credentials("mockuser", "mockpassword"))
        with pytest.raises(BackendError) as err:
            driver.images({})
        assert str(blocker) not in err.value.message
        assert driver.hardware_profiles({})  # static: still served
    finally:
        Store.close_all()
