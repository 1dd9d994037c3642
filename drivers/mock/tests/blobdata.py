"""Test data for large blobs: made on the fly, never held whole, checked by a running digest (not a test module)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

MIB = 1024 * 1024


class Generated:
    """``size`` bytes of a blob, each MiB different (a counter over a random block), hashed as they are read.

    Usable as a WSGI ``wsgi.input`` (``read(n)``) and as a request body generator (``chunks()``).
    """

    def __init__(self, size: int) -> None:
        self.size, self.position = size, 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self._block = os.urandom(MIB)

    def _at(self, index: int) -> bytes:
        return index.to_bytes(8, "big") + self._block[8:]

    def read(self, size: int = -1) -> bytes:
        """The next ``size`` bytes (at most 1 MiB at a time)."""
        size = min(MIB if size is None or size < 0 else size, MIB, self.size - self.position)
        if size <= 0:
            return b""
        index, offset = divmod(self.position, MIB)
        data = self._at(index)[offset:offset + size]
        if len(data) < size:
            data += self._at(index + 1)[:size - len(data)]
        self.position += len(data)
        self.digest.update(data)
        return data

    def chunks(self) -> Iterator[bytes]:
        """The whole blob as 1 MiB chunks."""
        while chunk := self.read(MIB):
            yield chunk

    def __len__(self) -> int:
        return self.size - self.position
