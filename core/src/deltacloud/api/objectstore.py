"""Object storage in the API description: buckets and the blobs in them.

Bucket operations are the usual index, show, create and destroy. Blob operations live below
a bucket (``/api/buckets/<bucket>/<blob>``) and move bytes and headers rather than parameters,
so the HTTP layer serves it with resources of its own (``deltacloud.http.objectstore``); each
operation here still names its path, method, status, parameters and driver method, and that
is what routing, validation, ``OPTIONS``, the docs, OpenAPI and the HTML forms read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from deltacloud.api.params import check_object_id
from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.driver import BlobData, Driver
from deltacloud.models import Blob, Bucket

ID_FILTER = Param("id", description="Only the bucket with this id")
#: The placeholder of a blob's id in the blob operations' paths.
BLOB_PATH = "/{id}/{blob_id}"

META_HEADERS = Param("X-Deltacloud-Blobmeta-<key>", source="header",
                     description="One header per user metadata entry; keys are stored upper case, "
                                 "values must be printable ASCII")
CONTENT_TYPE = Param("Content-Type", source="header", description="The blob's content type "
                                                                  "(default application/octet-stream)")
FORM_PARAMS = (
    Param("blob_id", required=True, description="The new blob's id (no '/')"),
    Param("meta_params", "integer", minimum=0, maximum=64,
          description="How many meta_name<n>/meta_value<n> pairs follow"),
    Param("meta_name", "list", description="User metadata keys: meta_name1, meta_name2… (or repeated)"),
    Param("meta_value", "list", description="Their values: meta_value1, meta_value2… (or repeated)"),
    # Last, so that HTML forms send it after the fields: the file part is streamed to the driver.
    Param("blob_data", "file", required=True,
          description="The content: a file part of a multipart form (streamed), or text up to 64 KiB"),
)


def _create_bucket(driver: Driver, _id: str | None, values: dict[str, Any]) -> Bucket:
    return driver.create_bucket(check_object_id(values["name"], "name"), values.get("location"))


def _store_blob(driver: Driver, bucket_id: str, values: dict[str, Any]) -> Blob:
    return driver.create_blob(bucket_id, values["blob_id"], values["stream"], values["content_type"],
                              values["user_metadata"], values.get("content_length"))


def _blob(driver: Driver, bucket_id: str, values: dict[str, Any]) -> Blob:
    return driver.blob(bucket_id, values["blob_id"])


def _update_metadata(driver: Driver, bucket_id: str, values: dict[str, Any]) -> Blob:
    return driver.update_blob_metadata(bucket_id, values["blob_id"], values["user_metadata"])


def _destroy_blob(driver: Driver, bucket_id: str, values: dict[str, Any]) -> None:
    driver.destroy_blob(bucket_id, values["blob_id"])


def _open_content(driver: Driver, bucket_id: str, values: dict[str, Any]) -> tuple[Blob, Chunks]:
    """The blob and its content, the first chunk already fetched (a missing blob fails here, as a 404)."""
    data = driver.blob_data(bucket_id, values["blob_id"])
    chunks = Chunks(data)
    blob = data.blob if isinstance(data, BlobData) else driver.blob(bucket_id, values["blob_id"])
    return blob, chunks


BUCKETS = Collection(
    "buckets", "bucket",
    "Object storage: buckets of blobs, each blob its content, a content type and user metadata.",
    (Operation("index", "index", "buckets", params=(ID_FILTER,), description="List buckets"),
     Operation("show", "show", "bucket", description="Show a bucket and the ids of its blobs"),
     Operation("create", "create", "create_bucket", status=201,
               params=(Param("name", required=True, description="The new bucket's name, which is its id"),),
               description="Create a bucket", invoke=_create_bucket),
     Operation("destroy", "destroy", "destroy_bucket", status=204,
               description="Delete an empty bucket (409 while it holds blobs)"),
     Operation("create_blob", "action", "create_blob", status=201, method="POST", path="/{id}",
               params=FORM_PARAMS, body="multipart/form-data", invoke=_store_blob,
               description="Upload a blob with a form: multipart/form-data, the file in blob_data after the "
                           "other fields"),
     Operation("put_blob", "action", "create_blob", status=200, method="PUT", path=BLOB_PATH,
               params=(CONTENT_TYPE, META_HEADERS), body="application/octet-stream", invoke=_store_blob,
               description="Upload a blob: the request body is its content (Content-Length or chunked), "
                           "replacing any blob of that id"),
     Operation("show_blob", "action", "blob", method="GET", path=BLOB_PATH, invoke=_blob,
               description="Show a blob's attributes and user metadata"),
     Operation("blob_metadata", "action", "blob", status=204, method="HEAD", path=BLOB_PATH, invoke=_blob,
               description="Read a blob's user metadata: X-Deltacloud-Blobmeta-<key> response headers"),
     Operation("update_blob_metadata", "action", "update_blob_metadata", status=204, method="POST", path=BLOB_PATH,
               params=(META_HEADERS,), invoke=_update_metadata,
               description="Replace a blob's user metadata with the X-Deltacloud-Blobmeta-<key> request headers, "
                           "echoed in the response"),
     Operation("blob_content", "action", "blob_data", method="GET", path=f"{BLOB_PATH}/content",
               invoke=_open_content,
               description="Download a blob's content, streamed, in its own content type whatever Accept says"),
     Operation("destroy_blob", "action", "destroy_blob", status=204, method="DELETE", path=BLOB_PATH,
               invoke=_destroy_blob, description="Delete a blob")),
    model=Bucket)

#: The object storage collections, in the order ``/api`` lists them.
OBJECT_STORE_COLLECTIONS: tuple[Collection, ...] = (BUCKETS,)


class Chunks:
    """A WSGI response body over a driver's chunks; ``close()`` reaches the driver's iterator.

    The first chunk is fetched at construction, so a driver that only finds out on its first
    ``next()`` that the blob is gone still fails before the status line is sent.
    """

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._source = chunks
        self._iter = iter(chunks)
        self._first: bytes | None = next(self._iter, None)
        self._done = self._first is None  # an empty blob: never ask the exhausted iterator again

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        if self._first is not None:
            first, self._first = self._first, None
            if first:
                return first
        while True:
            chunk = next(self._iter)
            if chunk:
                return bytes(chunk)

    def close(self) -> None:
        """Release the driver's resources (open file, backend connection) when the server is done."""
        for target in (self._iter, self._source):
            close = getattr(target, "close", None)
            if close is not None:
                close()
