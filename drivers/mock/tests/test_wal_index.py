"""The store's version token comes from SQLite's WAL-index header in shared memory, and follows every commit."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from deltacloud_driver_mock.store import Store
from deltacloud_driver_mock.walindex import HEADER_BYTES, WalIndex


def test_the_header_follows_commits_of_another_process(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "shared")
    try:
        store.list("things")  # a connection is open: the header may be read
        before = store._wal_index.state()
        assert before is not None and len(before) == HEADER_BYTES, "read from shared memory, not asked of SQLite"
        token = store.version()
        assert token is not None and token[1] == before and store.version() == token
        script = ("import sqlite3, sys\n"
                  "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                  "db.execute('INSERT INTO documents (kind, id, owner, body) VALUES (?, ?, NULL, ?)',"
                  " ('things', 'x', sys.argv[2]))\n"
                  "db.close()\n")
        subprocess.run([sys.executable, "-c", script, str(store.path), '{"id": "x"}'], check=True, timeout=60)
        after = store._wal_index.state()
        assert after is not None and after != before
        assert store.version() != token
        assert [doc["id"] for doc in store.list("things")] == ["x"]
    finally:
        store.close()


def test_each_commit_of_another_connection_is_a_new_header(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "many")
    try:
        store.list("things")
        other = sqlite3.connect(store.path, isolation_level=None)
        seen = {store._wal_index.state()}
        for n in range(50):  # past SQLite's checkpoints and WAL restarts too
            other.execute("INSERT INTO documents (kind, id, owner, body) VALUES ('things', ?, NULL, '{}')", (str(n),))
            if n % 10 == 0:
                other.execute("PRAGMA wal_checkpoint(RESTART)")
            state = store._wal_index.state()
            assert state is not None and state not in seen
            seen.add(state)
        other.close()
    finally:
        store.close()


def _shm(path: Path, first: bytes, second: bytes) -> WalIndex:
    path.write_bytes(first + second + bytes(32768 - 2 * HEADER_BYTES))
    return WalIndex(path.with_name(path.name.removesuffix("-shm")))


def test_a_header_read_mid_write_or_not_initialised_is_no_answer(tmp_path: Path) -> None:
    whole = bytes(12) + b"\x01" + bytes(HEADER_BYTES - 13)
    assert _shm(tmp_path / "a.db-shm", whole, whole).state() == whole
    changed = whole[:20] + b"\x07" + whole[21:]
    assert _shm(tmp_path / "b.db-shm", whole, changed).state() is None  # the two copies differ: mid-write
    blank = bytes(HEADER_BYTES)
    assert _shm(tmp_path / "c.db-shm", blank, blank).state() is None  # isInit is 0
    assert WalIndex(tmp_path / "missing.db").state() is None
    (tmp_path / "short.db-shm").write_bytes(b"\x01" * 10)
    assert WalIndex(tmp_path / "short.db").state() is None


def test_without_a_readable_header_the_token_still_follows_commits(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "fallback")
    try:
        store.list("things")
        store._wal_index = WalIndex(tmp_path / "nowhere" / "x.db")  # as if there were no -shm file to map
        token = store.version()
        assert token is not None and isinstance(token[1], int)  # SQLite's data_version
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("INSERT INTO documents (kind, id, owner, body) VALUES ('things', 'y', NULL, '{}')")
        other.close()
        assert store.version() != token
    finally:
        store.close()
