"""An embedded SQLite document store that several server processes can share.

Every object of every collection is one JSON document in one table, keyed by ``(kind, id)``
and carrying an ``owner`` column for per-user listings; a second table holds named counters
for generated ids. Adding a collection needs no schema change: pick a ``kind`` and store
documents under it.

Safety rules, so that server processes sharing the file never lose or duplicate writes:

* the database runs in WAL mode with a busy timeout; readers never block the writer;
* every write happens inside ``Store.transaction()``, which starts with ``BEGIN IMMEDIATE``
  (one writer at a time, across processes) and commits before the ``with`` block is left;
* connections are reused per thread and never shared between threads or across ``fork``.

The first use of a database creates the schema and loads the seed documents inside one
write transaction, guarded by a marker row, so processes starting together seed it once.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from deltacloud.errors import BackendError, BackendUnavailableError
from deltacloud_driver_mock.walindex import WalIndex

#: A stored object: a JSON object that always has an ``"id"``.
Document = dict[str, Any]
#: Seed documents by kind.
Seed = Mapping[str, Sequence[Mapping[str, Any]]]
#: A raw SQL condition over the columns ``id``, ``owner`` and ``body``, with its bound values.
Condition = tuple[str, Sequence[Any]]

#: The version of the schema below, recorded in the ``meta`` table.
SCHEMA_VERSION = "1"
#: File name of the database inside the storage directory.
DB_NAME = "mock.db"
#: Page cache of each connection in KiB, enough to list 10,000 documents without re-reading pages.
CACHE_KIB = 32 * 1024
#: Seconds a connection waits for another process's write lock before giving up.
BUSY_TIMEOUT = 30.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, id TEXT NOT NULL, owner TEXT, body TEXT NOT NULL, "
    "PRIMARY KEY (kind, id))",
    # Index entries end with the rowid, so both indexes also serve "ORDER BY rowid" without a sort.
    "CREATE INDEX IF NOT EXISTS documents_by_kind ON documents (kind)",
    "CREATE INDEX IF NOT EXISTS documents_by_owner ON documents (kind, owner)",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Serial numbers of connections, unique in the process (``Store.version`` tokens name their connection).
_SERIALS = itertools.count(1)

# Connections a forked child inherited from its parent. They are kept referenced and never
# used or closed: closing one would drop the child's POSIX locks on the database file.
_inherited: list[sqlite3.Connection] = []


def _busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _unavailable() -> BackendUnavailableError:
    return BackendUnavailableError("The mock store is busy; try again", retry_after=1)


class _Reader:
    """Queries shared by ``Store`` (each its own read snapshot) and ``Transaction``."""

    def _conn(self) -> sqlite3.Connection:
        raise NotImplementedError

    def get(self, kind: str, id: str) -> Document | None:
        """The document ``id`` of ``kind``, or None."""
        row = self._conn().execute("SELECT body FROM documents WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return json.loads(row[0]) if row else None

    def exists(self, kind: str, id: str) -> bool:
        """Whether ``kind`` has a document ``id``."""
        row = self._conn().execute("SELECT 1 FROM documents WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return row is not None

    def list(self, kind: str, *, id: str | None = None, owner: str | None = None,
             fields: Mapping[str, Any] | None = None, where: Sequence[Condition] = ()) -> list[Document]:
        """The documents of ``kind`` in insertion order, narrowed in SQL (one query).

        ``id`` and ``owner`` match those columns; ``fields`` match top-level JSON fields by
        equality (names must be identifiers); ``where`` adds raw conditions written by driver
        code (never by clients), whose values are bound.
        """
        return [json.loads(body) for body in self.bodies(kind, id=id, owner=owner, fields=fields, where=where)]

    def bodies(self, kind: str, *, id: str | None = None, owner: str | None = None,
               fields: Mapping[str, Any] | None = None, where: Sequence[Condition] = ()) -> list[str]:
        """Like ``list``, but the documents' JSON texts, undecoded (for callers that cache by text)."""
        sql = ["SELECT body FROM documents WHERE kind = ?"]
        args: list[Any] = [kind]
        if id is not None:
            sql.append("AND id = ?")
            args.append(id)
        if owner is not None:
            sql.append("AND owner = ?")
            args.append(owner)
        for name, value in (fields or {}).items():
            if not _FIELD.match(name):
                raise ValueError(f"not a document field name: {name!r}")
            sql.append("AND json_extract(body, ?) = ?")
            args += [f"$.{name}", value]
        for condition, values in where:
            sql.append(f"AND ({condition})")
            args += list(values)
        sql.append("ORDER BY rowid")
        return [body for (body,) in self._conn().execute(" ".join(sql), args)]

    def count(self, kind: str, *, owner: str | None = None) -> int:
        """How many documents ``kind`` has (of ``owner`` when given)."""
        if owner is None:
            row = self._conn().execute("SELECT count(*) FROM documents WHERE kind = ?", (kind,)).fetchone()
        else:
            row = self._conn().execute("SELECT count(*) FROM documents WHERE kind = ? AND owner = ?",
                                       (kind, owner)).fetchone()
        return int(row[0])


class Transaction(_Reader):
    """One write transaction (``BEGIN IMMEDIATE``): reads see a stable state, writes commit together."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._connection = conn

    def _conn(self) -> sqlite3.Connection:
        return self._connection

    def insert(self, kind: str, doc: Mapping[str, Any], owner: str | None = None) -> bool:
        """Add ``doc`` under its ``"id"``; False (and nothing written) when that id is taken."""
        cur = self._connection.execute(
            "INSERT INTO documents (kind, id, owner, body) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO NOTHING",
            (kind, doc["id"], owner, json.dumps(doc, separators=(",", ":"))))
        return cur.rowcount == 1

    def put(self, kind: str, doc: Mapping[str, Any], owner: str | None = None) -> None:
        """Insert or replace ``doc``; a replaced document keeps its place in listings."""
        self._connection.execute(
            "INSERT INTO documents (kind, id, owner, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET owner = excluded.owner, body = excluded.body",
            (kind, doc["id"], owner, json.dumps(doc, separators=(",", ":"))))

    def delete(self, kind: str, id: str) -> bool:
        """Remove a document; False when there was none."""
        cur = self._connection.execute("DELETE FROM documents WHERE kind = ? AND id = ?", (kind, id))
        return cur.rowcount == 1

    def next_number(self, counter: str) -> int:
        """Advance the counter ``counter`` (it starts at 1) and return its new value."""
        row = self._connection.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value", (counter,)).fetchone()
        return int(row[0])

    def next_free_id(self, kind: str, prefix: str) -> str:
        """The next ``<prefix><n>`` not used by a document of ``kind`` (counter ``kind``).

        Numbers only grow, so a destroyed object's id is never handed out again.
        """
        while True:
            candidate = f"{prefix}{self.next_number(kind)}"
            if not self.exists(kind, candidate):
                return candidate


class Snapshot(_Reader):
    """A read transaction: every query made through it sees the same committed state."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._connection = conn

    def _conn(self) -> sqlite3.Connection:
        return self._connection


class Store(_Reader):
    """The database in one storage directory; use ``Store.open`` to share one object per process."""

    _opened: dict[str, Store] = {}
    _opened_lock = threading.Lock()
    #: Counts ``close_all`` calls: what was worked out from the stores opened before is stale after one.
    generation: ClassVar[int] = 0

    def __init__(self, directory: Path, seed: Callable[[], Seed] | None = None) -> None:
        self.directory = directory
        self.path = directory / DB_NAME
        self._seed = seed
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ready_pid: int | None = None
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._wal_index = WalIndex(self.path)

    @classmethod
    def open(cls, directory: str | os.PathLike[str], seed: Callable[[], Seed] | None = None) -> Store:
        """The process-wide store of ``directory`` (created if missing); ``seed`` fills a new database.

        The same object is returned for the same directory, so schema set-up and seeding run
        once per process; nothing touches the disk until the first query.
        """
        key = os.fspath(directory)
        store = cls._opened.get(key)
        if store is None:
            with cls._opened_lock:
                store = cls._opened.get(key)
                if store is None:
                    store = cls._opened[key] = cls(Path(key), seed)
        return store

    # -- connections -------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == pid:
            return conn
        if conn is not None:
            _inherited.append(conn)
        conn = self._connect()
        self._local.conn, self._local.pid = conn, pid
        self._local.serial, self._local.writes = next(_SERIALS), 0
        with self._lock:
            self._connections.append((pid, conn))
        if self._ready_pid != pid:
            with self._lock:
                if self._ready_pid != pid:
                    self._initialize(conn)
                    self._ready_pid = pid
        return conn

    def _connect(self) -> sqlite3.Connection:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False only so that close() may close every thread's connection at
            # teardown; each connection is otherwise used by the thread that made it alone.
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            # The path stays out of the message clients see; it is in the chained exception for the logs.
            raise BackendError("The mock driver's storage directory cannot be used") from exc
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    conn.close()
                    raise _unavailable() from exc
                time.sleep(0.01)
        conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across process crashes, fast commits
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        return conn

    def _initialize(self, conn: sqlite3.Connection) -> None:
        """Create the schema and seed an empty database, once, whoever gets there first."""
        with self._write(conn) as tx:
            for statement in _SCHEMA:
                conn.execute(statement)
            if conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
                return
            for kind, docs in (self._seed() if self._seed else {}).items():
                for doc in docs:
                    tx.put(kind, doc, doc.get("owner_id"))
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema', ?), ('seeded', ?)",
                         (SCHEMA_VERSION, str(time.time())))

    @contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[Transaction]:
        if conn.in_transaction:
            raise RuntimeError("mock store transactions do not nest")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise _unavailable() from exc
            raise
        try:
            yield Transaction(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _busy(exc):
                raise _unavailable() from exc
            raise
        finally:  # committed or not, this connection may have changed the database (see ``version``)
            self._local.writes = getattr(self._local, "writes", 0) + 1

    def version(self) -> tuple[int, bytes | int, int] | None:
        """A token of the database's state as this thread's connection sees it; None inside a transaction.

        Two tokens from the same thread are equal only if nothing was committed in between: by
        another connection of any process (SQLite's ``PRAGMA data_version``), or by this one (its
        own count of write transactions, which ``data_version`` does not show). Take it before a
        read: data read after an equal token is the data of that state. Tokens of different
        connections never compare equal (each connection has its own serial number).
        """
        conn = self._conn()
        if conn.in_transaction:
            return None
        state = self._wal_index.state()  # the header PRAGMA data_version compares, without a statement
        if state is None:
            (state,) = conn.execute("PRAGMA data_version").fetchone()
        return self._local.serial, state, self._local.writes

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction, committed when the block ends and rolled back if it raises.

        Only one process writes at a time; others wait up to ``BUSY_TIMEOUT`` seconds and then
        get ``BackendUnavailableError`` (503). Transactions do not nest.
        """
        with self._write(self._conn()) as tx:
            yield tx

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """Several reads of one consistent state (in WAL mode writers carry on meanwhile); does not nest."""
        conn = self._conn()
        if conn.in_transaction:
            raise RuntimeError("mock store transactions do not nest")
        conn.execute("BEGIN")
        try:
            yield Snapshot(conn)
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def close(self) -> None:
        """Close this process's connections (all threads'); call only when no thread is using the store."""
        pid = os.getpid()
        with self._lock:
            mine = [conn for owner, conn in self._connections if owner == pid]
            self._connections = [(owner, conn) for owner, conn in self._connections if owner != pid]
            self._ready_pid = None
        self._wal_index.close()
        for conn in mine:
            conn.close()
        self._local = threading.local()

    @classmethod
    def close_all(cls) -> None:
        """Close and forget every store this process opened (tests use it between storage directories)."""
        with cls._opened_lock:
            stores = list(cls._opened.values())
            cls._opened.clear()
            cls.generation += 1
        for store in stores:
            store.close()
