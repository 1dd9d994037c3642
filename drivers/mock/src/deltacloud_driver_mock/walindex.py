"""The committed state of a WAL-mode SQLite database, read from its WAL-index header in shared memory.

SQLite keeps a header in the ``-shm`` file beside a database in WAL mode (the "WAL-index header" of
https://www.sqlite.org/walformat.html): 48 bytes that every commit rewrites (a change counter, the
last committed frame of the WAL, the WAL's salts and checksums), stored twice, the second copy
written first, so that a reader who finds both copies equal has read a whole header. Equal headers
mean the same committed state; SQLite's own ``PRAGMA data_version`` compares the same header.

Asking SQLite costs a statement, and the ``sqlite3`` module lets go of the GIL around every
statement: in a server whose threads compete for the GIL, each such hand-off costs far more than
the statement (about 100 us of CPU per request under load, against 4 us in a quiet process).
Reading the mapped header is a memory copy and keeps the GIL.

The file is mapped only while the caller holds an open connection to the database: SQLite
truncates the ``-shm`` file only when a first connection opens it with no other connection
anywhere, which cannot happen while one is open in this process. ``close`` drops the mapping
(call it with the connections' close). A header that cannot be read whole (mid-write) or is not
initialised gives None: the caller then asks SQLite.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

#: The two copies of the header.
HEADER_BYTES = 48
#: Offset of ``isInit`` (after ``iVersion``, an unused word and ``iChange``).
_IS_INIT = 12


class WalIndex:
    """The WAL-index header of the database at ``database`` (its ``-shm`` file), mapped once per process."""

    def __init__(self, database: Path) -> None:
        self.path = Path(f"{database}-shm")
        self._map: mmap.mmap | None = None
        self._pid: int | None = None

    def state(self) -> bytes | None:
        """The header's bytes, or None when it cannot be read now (no ``-shm`` file, mid-write, not initialised).

        Call only while holding an open connection to the database (see the module's docstring).
        """
        mapped = self._map
        if mapped is None or self._pid != os.getpid():
            mapped = self._open()
            if mapped is None:
                return None
        both = mapped[:2 * HEADER_BYTES]
        header = both[:HEADER_BYTES]
        if header != both[HEADER_BYTES:] or header[_IS_INIT] != 1:
            return None
        return header

    def _open(self) -> mmap.mmap | None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return None
        try:
            if os.fstat(fd).st_size < 2 * HEADER_BYTES:
                return None
            mapped = mmap.mmap(fd, 2 * HEADER_BYTES, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)
        self._map, self._pid = mapped, os.getpid()
        return mapped

    def close(self) -> None:
        """Drop the mapping (when this process closes its connections to the database)."""
        mapped, self._map, self._pid = self._map, None, None
        if mapped is not None:
            mapped.close()
