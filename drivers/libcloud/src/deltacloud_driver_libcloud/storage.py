"""Buckets and blobs on any libcloud storage driver (Azure blobs, Cloud Files, Google Storage…).

A family that offers object storage subclasses ``LibcloudBuckets`` and says how to build its
libcloud ``StorageDriver`` (``storage_backend``) and what its errors mean (``ERRORS``). libcloud
objects come from the toolkit's ``KeyedPool``, one key per family, endpoint and credentials.

Blobs stream both ways in bounded memory: an upload hands libcloud an iterator over the
request body read in ``UPLOAD_READ`` pieces (libcloud then sends fixed-size blocks, 4 MiB for
Azure); a download iterates libcloud's response in ``DOWNLOAD_CHUNK`` pieces on a driver object
of its own, closed when the client has read everything or went away.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO, ClassVar

from deltacloud.driver import BlobData, Driver, Filters
from deltacloud.driver.toolkit import POOL, ErrorTable, measured, pool_key
from deltacloud.errors import ConflictError, DeltacloudError, NotFoundError, NotSupportedError
from deltacloud.models import Blob, Bucket

#: Bytes per chunk when streaming a blob's content out.
DOWNLOAD_CHUNK = 256 * 1024
#: Bytes read from the client per read when streaming an upload in.
UPLOAD_READ = 256 * 1024


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        data = stream.read(UPLOAD_READ)
        if not data:
            return
        yield data


def to_blob(obj: Any, bucket_id: str) -> Blob:
    """A libcloud ``Object`` as a ``Blob``."""
    extra = obj.extra or {}
    metadata = tuple(sorted((k, v) for k, v in (obj.meta_data or {}).items() if isinstance(v, str)))
    return Blob(obj.name, bucket_id, int(obj.size or 0), extra.get("content_type") or "application/octet-stream",
                str(extra.get("last_modified") or ""), metadata)


class LibcloudBuckets(Driver):
    """Buckets and blobs through a libcloud ``StorageDriver``."""

    #: The family's error table (service name, codes); libcloud's exceptions go through it.
    ERRORS: ClassVar[ErrorTable]
    #: The family's name in pool keys.
    SERVICE: ClassVar[str]

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """libcloud exceptions that escaped the driver's own translation."""
        return cls.ERRORS.translate(error)

    def storage_backend(self) -> Any:
        """A new libcloud storage driver for this request's endpoint and credentials."""
        raise NotImplementedError

    def storage_key(self) -> str:
        """What, besides the credentials, decides which pooled object may serve this request."""
        return self.provider or ""

    @contextlib.contextmanager
    def storage(self) -> Iterator[Any]:
        """A pooled libcloud storage driver used by this request alone; its exceptions leave as core errors."""
        key = pool_key(self.SERVICE, self.storage_key(), self.credentials)
        with self.ERRORS.translating(), measured(), POOL.checkout(key, self.storage_backend) as backend:
            yield backend

    def check_credentials(self) -> None:
        """One cheap listing call: the cloud answers 401/403 to credentials it does not accept."""
        with self.storage() as backend:
            next(iter(backend.iterate_containers()), None)

    # -- buckets -------------------------------------------------------------------------------

    def buckets(self, filters: Filters) -> list[Bucket]:
        """The account's containers (blob ids are listed when one bucket is shown)."""
        if filters.get("id"):
            try:
                return [self.bucket(filters["id"])]
            except NotFoundError:
                return []
        with self.storage() as backend:
            return [Bucket(c.name, c.name) for c in backend.iterate_containers()]

    def bucket(self, id: str) -> Bucket:
        """One container with its blob ids."""
        with self.storage() as backend:
            container = backend.get_container(id)
            names = tuple(o.name for o in backend.iterate_container_objects(container))
        return Bucket(id, id, len(names), names, self.bucket_location(container))

    def bucket_location(self, container: Any) -> str:
        """Where a container lives, when the family knows (empty otherwise)."""
        return ""

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """Create a container (409 when it exists)."""
        with self.storage() as backend:
            container = backend.create_container(name)
        return Bucket(container.name, container.name, 0, (), self.bucket_location(container))

    def destroy_bucket(self, id: str) -> None:
        """Delete an empty container (409 when it holds blobs: some clouds would delete them all)."""
        with self.storage() as backend:
            container = backend.get_container(id)
            for _ in backend.iterate_container_objects(container):
                raise ConflictError(f"Bucket '{id}' is not empty")
            backend.delete_container(container)

    # -- blobs ---------------------------------------------------------------------------------

    def blob(self, bucket_id: str, blob_id: str) -> Blob:
        """A blob's attributes and user metadata."""
        with self.storage() as backend:
            return to_blob(backend.get_object(bucket_id, blob_id), bucket_id)

    def create_blob(self, bucket_id: str, blob_id: str, stream: BinaryIO, content_type: str,
                    user_metadata: Mapping[str, str], content_length: int | None = None) -> Blob:
        """Store a blob from ``stream``, read and sent in bounded pieces."""
        extra = {"content_type": content_type or "application/octet-stream", "meta_data": dict(user_metadata)}
        with self.storage() as backend:
            container = backend.get_container(bucket_id)
            backend.upload_object_via_stream(_chunks(stream), container, blob_id, extra=extra)
            return to_blob(backend.get_object(bucket_id, blob_id), bucket_id)

    def blob_data(self, bucket_id: str, blob_id: str) -> BlobData:
        """The blob's content in chunks, on a backend object of its own (404 before any chunk)."""
        with self.ERRORS.translating():
            backend = self.storage_backend()
            obj = backend.get_object(bucket_id, blob_id)
            chunks = backend.download_object_as_stream(obj, chunk_size=DOWNLOAD_CHUNK)
        return BlobData(to_blob(obj, bucket_id), self._stream(chunks))

    def _stream(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            with self.ERRORS.translating():
                for chunk in chunks:
                    if chunk:
                        yield chunk
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    def update_blob_metadata(self, bucket_id: str, blob_id: str, user_metadata: Mapping[str, str]) -> Blob:
        """Replace a blob's user metadata (where the libcloud driver can)."""
        with self.storage() as backend:
            setter = getattr(backend, "ex_set_object_metadata", None)
            if setter is None:
                raise NotSupportedError(f"{self.ERRORS.service} cannot change a blob's metadata")
            setter(backend.get_object(bucket_id, blob_id), dict(user_metadata))
            return to_blob(backend.get_object(bucket_id, blob_id), bucket_id)

    def destroy_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob (404 when it does not exist)."""
        with self.storage() as backend:
            backend.delete_object(backend.get_object(bucket_id, blob_id))
