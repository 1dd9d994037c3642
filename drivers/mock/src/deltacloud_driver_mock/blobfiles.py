"""Blob contents as files beside the mock's database: written aside, renamed into place, never rewritten.

``<storage>/blobs/incoming/`` receives uploads; a complete upload is renamed to
``<storage>/blobs/<bucket digest>/<random name>``, a name no other version of any blob uses, and
that relative name is what the blob's document records. A file is only ever created whole
(by the rename) and removed whole (after its document stopped naming it), so a reader that
opened one reads one complete version to its end, whatever writers do meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from deltacloud.errors import BackendError

#: Bytes per read and write: what an upload or a download holds in memory at once.
CHUNK = 1024 * 1024
INCOMING = "incoming"


class FileChunks:
    """An open blob file as an iterator of chunks; closed at its end or by ``close()``."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def __iter__(self) -> FileChunks:
        return self

    def __next__(self) -> bytes:
        if self._file.closed:  # asked again after its end
            raise StopIteration
        chunk = self._file.read(CHUNK)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        """Close the file (a client that went away stops the download here)."""
        self._file.close()


class BlobFiles:
    """The blob files of one storage directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def receive(self, stream: BinaryIO) -> tuple[Path, int]:
        """Copy ``stream`` into a new file under ``incoming/`` in chunks, flushed to disk; its path and size.

        Errors reading ``stream`` (the client's) propagate as they are; errors writing become a
        ``BackendError``. Nothing is left behind when either happens.
        """
        incoming = self.root / INCOMING
        try:
            incoming.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
        except OSError as exc:
            raise BackendError("The mock store cannot write blobs") from exc
        path, size = Path(name), 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise BackendError("The mock store could not write the blob") from exc
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())  # the document that will name this file must never outlive its bytes
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, size

    def place(self, received: Path, bucket: str) -> str:
        """Rename a received file into ``bucket``'s directory under a fresh name; the name to record."""
        relative = f"{_digest(bucket)}/{uuid.uuid4().hex}"
        target = self.root / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(received, target)
        except OSError as exc:
            raise BackendError("The mock store could not store the blob") from exc
        return relative

    def open(self, relative: str) -> BinaryIO:
        """The file a document names, open for reading; ``FileNotFoundError`` when it was replaced meanwhile."""
        return (self.root / relative).open("rb")

    def remove(self, relative: str | Path | None) -> None:
        """Delete a file nothing names any more (missing is fine: another process got there first)."""
        if relative:
            (self.root / relative).unlink(missing_ok=True)

    def remove_bucket(self, bucket: str) -> None:
        """Remove a deleted bucket's directory if it is empty."""
        with contextlib.suppress(OSError):  # not empty, or already gone
            (self.root / _digest(bucket)).rmdir()


def _digest(bucket: str) -> str:
    """A bucket's directory name: a digest, so that any valid bucket name makes a safe, short file name."""
    return hashlib.sha256(bucket.encode("utf-8", "surrogatepass")).hexdigest()[:32]
