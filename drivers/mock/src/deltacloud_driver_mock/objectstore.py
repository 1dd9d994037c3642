"""The mock's object storage: bucket and blob documents in the store, blob contents in files beside it.

Documents: ``buckets`` (id = name: ``name``, ``location``, ``created``) and ``blobs`` (id
``<bucket>/<blob>``: ``name``, ``bucket``, ``content_type``, ``content_length``,
``last_modified``, ``user_metadata`` and ``file``, the content's file relative to
``<storage>/blobs``; seeded blobs keep their few bytes in ``content`` instead).

Consistency across server processes, all writes holding the store's write lock:

* an upload is first copied to a file of its own, outside the lock (it may take minutes);
* one transaction then checks the bucket, renames that file to a name no version ever had,
  and writes the document naming it; if the transaction fails, the renamed file is removed;
* the file of a replaced or deleted version is removed after the commit.

So a document always names a complete file (a crash can at worst leave a file nothing names),
and a bucket's size and blob list are computed from the blob documents, never stored apart.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from deltacloud.driver import BlobData, Filters
from deltacloud.errors import BackendUnavailableError, ConflictError, NotFoundError, ValidationError
from deltacloud.models import Blob, Bucket
from deltacloud_driver_mock import catalog
from deltacloud_driver_mock.blobfiles import BlobFiles, FileChunks
from deltacloud_driver_mock.records import timestamp
from deltacloud_driver_mock.store import Condition, Store

BUCKETS, BLOBS = "buckets", "blobs"
#: Longest names in UTF-8 bytes: buckets as the other mock names, blobs as S3 keys.
MAX_BUCKET_NAME, MAX_BLOB_NAME = 255, 1024
_FORBIDDEN = re.compile(r"[/\x00-\x1f\x7f]|\.\.")


def check_name(value: str, param: str, what: str, longest: int) -> str:
    """A bucket or blob name: not empty, no '/', no '..', no control characters, at most ``longest`` bytes."""
    if not value or not value.strip():
        raise ValidationError(f"The {what} name must not be empty", param=param)
    if _FORBIDDEN.search(value) or len(value.encode("utf-8", "surrogatepass")) > longest:
        raise ValidationError(f"The {what} name must be at most {longest} bytes, without '/', '..' or control "
                              "characters", param=param)
    return value


def _key(bucket: str, blob: str) -> str:
    return f"{bucket}/{blob}"


def _in_bucket(bucket: str) -> Condition:
    """Blob documents of ``bucket``: ids from ``<bucket>/`` up to ``<bucket>0`` ('0' follows '/'), on the key index."""
    return ("id >= ? AND id < ?", (f"{bucket}/", f"{bucket}0"))


def blob_model(doc: Mapping[str, Any]) -> Blob:
    """The model of a blob document."""
    return Blob(id=doc["name"], bucket=doc["bucket"], content_length=int(doc.get("content_length") or 0),
                content_type=doc.get("content_type") or "application/octet-stream",
                last_modified=doc.get("last_modified") or "",
                user_metadata=tuple((str(k), str(v)) for k, v in (doc.get("user_metadata") or {}).items()))


def _bucket_model(doc: Mapping[str, Any], blob_names: list[str]) -> Bucket:
    return Bucket(id=doc["id"], name=doc.get("name") or doc["id"], size=len(blob_names),
                  blob_ids=tuple(blob_names), location=doc.get("location") or "")


class ObjectStoreMixin:
    """Buckets and blobs, shared by every user of the store (as the original mock's were)."""

    store: Store

    def _user(self) -> str:  # pragma: no cover - MockDriver defines it
        raise NotImplementedError

    @property
    def _files(self) -> BlobFiles:
        return BlobFiles(Path(self.store.directory) / "blobs")

    # -- buckets -------------------------------------------------------------------------------

    def buckets(self, filters: Filters) -> list[Bucket]:
        """Every bucket with its blob ids (or the one ``filters["id"]`` names), from one consistent read."""
        self._user()
        wanted = filters.get("id")
        with self.store.snapshot() as snap:
            docs = snap.list(BUCKETS, id=wanted)
            blobs = snap.list(BLOBS, where=[_in_bucket(wanted)] if wanted is not None else ())
        names: dict[str, list[str]] = {}
        for blob in blobs:
            names.setdefault(blob["bucket"], []).append(blob["name"])
        return [_bucket_model(doc, names.get(doc["id"], [])) for doc in docs]

    def bucket(self, id: str) -> Bucket:
        """One bucket with its blob ids."""
        found = self.buckets({"id": id})
        if not found:
            raise NotFoundError(f"Bucket '{id}' not found")
        return found[0]

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """A new empty bucket; ``location`` (feature ``bucket_location``) is a realm, ``us`` or ``eu``."""
        self._user()
        check_name(name, "name", "bucket", MAX_BUCKET_NAME)
        location = (location or "").strip()
        if location and location not in catalog.REALMS_BY_ID:
            raise ValidationError(f"Parameter 'location' must be one of {', '.join(catalog.REALMS_BY_ID)}",
                                  param="location")
        doc = {"id": name, "name": name, "location": location, "created": timestamp(time.time())}
        with self.store.transaction() as tx:
            if not tx.insert(BUCKETS, doc):
                raise ConflictError(f"Bucket '{name}' already exists")
        return _bucket_model(doc, [])

    def destroy_bucket(self, id: str) -> None:
        """Delete an empty bucket; ``ConflictError`` (409) while it holds blobs."""
        self._user()
        with self.store.transaction() as tx:
            if not tx.exists(BUCKETS, id):
                raise NotFoundError(f"Bucket '{id}' not found")
            held = len(tx.bodies(BLOBS, where=[_in_bucket(id)]))
            if held:
                raise ConflictError(f"Bucket '{id}' is not empty: delete its {held} blob(s) first")
            tx.delete(BUCKETS, id)
            self._files.remove_bucket(id)  # under the write lock: no upload is being placed in it

    # -- blobs ---------------------------------------------------------------------------------

    def _missing(self, bucket_id: str, blob_id: str) -> NotFoundError:
        if not self.store.exists(BUCKETS, bucket_id):
            return NotFoundError(f"Bucket '{bucket_id}' not found")
        return NotFoundError(f"Blob '{blob_id}' not found in bucket '{bucket_id}'")

    def blob(self, bucket_id: str, blob_id: str) -> Blob:
        """A blob's attributes and user metadata."""
        self._user()
        doc = self.store.get(BLOBS, _key(bucket_id, blob_id))
        if doc is None:
            raise self._missing(bucket_id, blob_id)
        return blob_model(doc)

    def create_blob(self, bucket_id: str, blob_id: str, stream: BinaryIO, content_type: str,
                    user_metadata: Mapping[str, str], content_length: int | None = None) -> Blob:
        """Store ``stream`` as blob ``blob_id`` of ``bucket_id`` (replacing any blob of that id), in chunks."""
        self._user()
        check_name(blob_id, "blob_id", "blob", MAX_BLOB_NAME)
        if not self.store.exists(BUCKETS, bucket_id):  # before receiving what may be gigabytes
            raise NotFoundError(f"Bucket '{bucket_id}' not found")
        files = self._files
        received, size = files.receive(stream)
        placed: str | None = None
        old: dict[str, Any] | None = None
        try:
            with self.store.transaction() as tx:
                if not tx.exists(BUCKETS, bucket_id):
                    raise NotFoundError(f"Bucket '{bucket_id}' not found")
                old = tx.get(BLOBS, _key(bucket_id, blob_id))
                placed = files.place(received, bucket_id)
                doc = {"id": _key(bucket_id, blob_id), "name": blob_id, "bucket": bucket_id,
                       "content_type": content_type or "application/octet-stream", "content_length": size,
                       "last_modified": timestamp(time.time()), "user_metadata": dict(user_metadata),
                       "file": placed}
                tx.put(BLOBS, doc)
            placed = None  # committed: the document names the file now
        finally:
            received.unlink(missing_ok=True)
            files.remove(placed)
        if old is not None:
            files.remove(old.get("file"))
        return blob_model(doc)

    def blob_data(self, bucket_id: str, blob_id: str) -> BlobData:
        """The blob's content in chunks, with the version of the blob they are the content of."""
        self._user()
        for _ in range(5):  # a concurrent replace may remove the file between reading its document and opening it
            doc = self.store.get(BLOBS, _key(bucket_id, blob_id))
            if doc is None:
                raise self._missing(bucket_id, blob_id)
            if not doc.get("file"):
                return BlobData(blob_model(doc), [str(doc.get("content") or "").encode("utf-8")])
            try:
                return BlobData(blob_model(doc), FileChunks(self._files.open(doc["file"])))
            except FileNotFoundError:
                continue
        raise BackendUnavailableError(f"Blob '{blob_id}' is being replaced; try again", retry_after=1)

    def update_blob_metadata(self, bucket_id: str, blob_id: str, user_metadata: Mapping[str, str]) -> Blob:
        """Replace a blob's user metadata (its content stays)."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(BLOBS, _key(bucket_id, blob_id))
            if doc is None:
                raise self._missing(bucket_id, blob_id)
            doc.update(user_metadata=dict(user_metadata), last_modified=timestamp(time.time()))
            tx.put(BLOBS, doc)
        return blob_model(doc)

    def destroy_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob and, once no document names it, its file."""
        self._user()
        with self.store.transaction() as tx:
            doc = tx.get(BLOBS, _key(bucket_id, blob_id))
            if doc is None:
                raise self._missing(bucket_id, blob_id)
            tx.delete(BLOBS, doc["id"])
        self._files.remove(doc.get("file"))
