"""Buckets and blobs on S3, through libcloud's S3 storage driver.

Uploads stream: libcloud's multipart upload reads the request body in 5 MB parts, so what a
blob upload holds in memory is bounded by the part size (about three parts' worth while one is
assembled, hashed and sent), whatever the blob's size. Downloads stream in 64 KB chunks on a
connection of their own, closed when the client has read everything or goes away.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO
from urllib.parse import quote
from xml.etree.ElementTree import Element

from libcloud.storage.base import Container
from libcloud.storage.drivers.s3 import NAMESPACE as S3_NAMESPACE

from deltacloud.driver import BlobData, Filters
from deltacloud.driver.toolkit import local_name
from deltacloud.errors import BackendError, ConflictError, NotFoundError
from deltacloud.models import Blob, Bucket
from deltacloud_driver_ec2.compat import ApiError
from deltacloud_driver_ec2.session import Ec2Session

#: Bytes per chunk when streaming a blob's content out.
DOWNLOAD_CHUNK = 64 * 1024
#: Bytes read from the client per read when streaming an upload in.
UPLOAD_READ = 256 * 1024
_META = "x-amz-meta-"


def _expect(root: Any, tag: str, what: str) -> Element:
    if not isinstance(root, Element) or local_name(root.tag) != tag:
        got = local_name(root.tag) if isinstance(root, Element) else "an empty body"
        raise BackendError(f"S3 answered {what} with {got}, not <{tag}>: the endpoint does not speak the S3 API")
    return root


def _find_text(element: Element, name: str) -> str:
    found = element.find(f"{{{S3_NAMESPACE}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        data = stream.read(UPLOAD_READ)
        if not data:
            return
        yield data


def _blob(obj: Any, bucket_id: str) -> Blob:
    extra = obj.extra or {}
    metadata = tuple(sorted((k, v) for k, v in (obj.meta_data or {}).items() if isinstance(v, str)))
    return Blob(obj.name, bucket_id, int(obj.size or 0), extra.get("content_type") or "application/octet-stream",
                extra.get("last_modified") or "", metadata)


class BucketMixin(Ec2Session):
    """S3 buckets and blobs."""

    def _object_names(self, s3: Any, bucket_id: str) -> list[str]:
        names: list[str] = []
        marker = ""
        for _ in range(100_000):  # bounded: 1000 keys per page
            params = {"marker": marker} if marker else {}
            root = _expect(s3.connection.request(f"/{bucket_id}", params=params).object, "ListBucketResult",
                           f"the listing of bucket '{bucket_id}'")
            page = [o.name for o in s3._to_objs(root, "Contents", Container(bucket_id, {}, s3))]
            names.extend(page)
            if _find_text(root, "IsTruncated").lower() != "true" or not page:
                return names
            marker = page[-1]
        return names

    def buckets(self, filters: Filters) -> list[Bucket]:
        """The account's buckets (blob ids are listed when one bucket is shown)."""
        if filters.get("id"):
            try:
                return [self.bucket(filters["id"])]
            except NotFoundError:
                return []
        with self.backend("s3") as s3:
            root = _expect(s3.connection.request("/").object, "ListAllMyBucketsResult", "the bucket listing")
            return [Bucket(c.name, c.name) for c in s3._to_containers(root, "Buckets/Bucket")]

    def bucket(self, id: str) -> Bucket:
        """One bucket with its blob ids and location."""
        with self.backend("s3") as s3:
            location_root = s3.connection.request(f"/{id}", params={"location": ""}).object
            location = (location_root.text or "").strip() if isinstance(location_root, Element) else ""
            names = self._object_names(s3, id)
        return Bucket(id, id, len(names), tuple(names), location or "us-east-1")

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """Create a bucket in ``location`` (feature ``bucket_location``) or the provider's region."""
        region = location or self.target.region
        body = ""
        if region != "us-east-1":
            body = ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    f"<LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>")
        with self.backend("s3") as s3:
            try:
                s3.connection.request(f"/{name}", method="HEAD")
            except ApiError as exc:
                if exc.status != 404:
                    raise
            else:  # us-east-1 answers 200 to re-creating one's own bucket; the API says 409
                raise ConflictError(f"Bucket '{name}' already exists")
            s3.connection.request(f"/{name}", method="PUT", data=body)
        return Bucket(name, name, 0, (), region)

    def destroy_bucket(self, id: str) -> None:
        """Delete an empty bucket (409 when it holds blobs)."""
        with self.backend("s3") as s3:
            s3.connection.request(f"/{id}", method="DELETE")

    def blob(self, bucket_id: str, blob_id: str) -> Blob:
        """A blob's attributes and user metadata (a HEAD request)."""
        with self.backend("s3") as s3:
            return _blob(s3.get_object(bucket_id, blob_id), bucket_id)

    def create_blob(self, bucket_id: str, blob_id: str, stream: BinaryIO, content_type: str,
                    user_metadata: Mapping[str, str], content_length: int | None = None) -> Blob:
        """Store a blob from ``stream`` with libcloud's multipart upload (5 MB parts at most in memory)."""
        extra = {"content_type": content_type or "application/octet-stream", "meta_data": dict(user_metadata)}
        with self.backend("s3") as s3:
            container = Container(bucket_id, {}, s3)
            s3.upload_object_via_stream(_chunks(stream), container, blob_id, extra=extra)
            return _blob(s3.get_object(bucket_id, blob_id), bucket_id)

    def blob_data(self, bucket_id: str, blob_id: str) -> BlobData:
        """The blob's content in 64 KB chunks, with the blob those bytes are (from the same GET's headers).

        404 before any chunk when the blob does not exist.
        """
        with self.translating():
            s3 = self.new_backend("s3")
            path = f"/{bucket_id}/{quote(blob_id, safe='/~')}"
            # raises the S3 error (NoSuchKey…) before any chunk is produced
            response = s3.connection.request(path, method="GET", stream=True, raw=True)
            raw = response.iter_content.__self__  # the underlying requests.Response
            try:
                obj = s3._headers_to_object(blob_id, Container(bucket_id, {}, s3), response.headers)
            except Exception:
                raw.close()
                raise
        return BlobData(_blob(obj, bucket_id), self._stream(raw))

    def _stream(self, raw: Any) -> Iterator[bytes]:
        try:
            with self.translating():
                for chunk in raw.iter_content(DOWNLOAD_CHUNK):
                    if chunk:
                        yield chunk
        finally:
            raw.close()

    def update_blob_metadata(self, bucket_id: str, blob_id: str, user_metadata: Mapping[str, str]) -> Blob:
        """Replace the user metadata: S3 copies the object onto itself with the new metadata."""
        current = self.blob(bucket_id, blob_id)
        headers = {"x-amz-copy-source": f"/{bucket_id}/{quote(blob_id, safe='/~')}",
                   "x-amz-metadata-directive": "REPLACE", "Content-Type": current.content_type}
        headers.update({f"{_META}{k}": v for k, v in user_metadata.items()})
        with self.backend("s3") as s3:
            s3.connection.request(f"/{bucket_id}/{quote(blob_id, safe='/~')}", method="PUT", headers=headers)
        return self.blob(bucket_id, blob_id)

    def destroy_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob (S3 accepts deleting a missing key, so its existence is checked first)."""
        with self.backend("s3") as s3:
            obj = s3.get_object(bucket_id, blob_id)
            s3.delete_object(obj)
