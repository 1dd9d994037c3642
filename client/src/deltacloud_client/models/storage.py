"""Models of the storage collections: volumes, snapshots, buckets and blobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from deltacloud_client.models.base import Resource, as_list, ref_id, text


class StorageVolume(Resource):
    """A block volume; ``attach`` and ``detach`` follow its links."""

    collection = "storage_volumes"
    singular = "storage_volume"
    columns = ("name", "state", "capacity", "realm_id", "instance_id", "device")

    @property
    def state(self) -> str | None:
        """``AVAILABLE``, ``IN-USE``..."""
        return text(self.data.get("state"))

    @property
    def capacity(self) -> str | None:
        """The size in GB."""
        return text(self.data.get("capacity"))

    @property
    def realm_id(self) -> str | None:
        """The realm it lives in."""
        return ref_id(self.data.get("realm")) or text(self.data.get("realm_id"))

    @property
    def instance_id(self) -> str | None:
        """The instance it is attached to, if any."""
        mount = self.data.get("mount")
        if isinstance(mount, dict) and ref_id(mount.get("instance")):
            return ref_id(mount.get("instance"))
        return ref_id(self.data.get("instance"))

    @property
    def device(self) -> str | None:
        """The device name it is attached as."""
        return text(self.data.get("device")) or None

    def attach(self, instance_id: str, device: str) -> StorageVolume:
        """Attach it to an instance as ``device``."""
        return self.perform("attach", instance_id=instance_id, device=device)

    def detach(self) -> StorageVolume:
        """Detach it."""
        return self.perform("detach")

    def create_snapshot(self, **options: Any) -> StorageSnapshot:
        """Snapshot it."""
        return self.client.create_storage_snapshot(self.id, **options)


class StorageSnapshot(Resource):
    """A snapshot of a volume."""

    collection = "storage_snapshots"
    singular = "storage_snapshot"
    columns = ("name", "state", "volume_id", "created")

    @property
    def state(self) -> str | None:
        """``COMPLETED``..."""
        return text(self.data.get("state"))

    @property
    def volume_id(self) -> str | None:
        """The volume it was taken of."""
        return ref_id(self.data.get("storage_volume"))

    @property
    def created(self) -> str | None:
        """When it was taken."""
        return text(self.data.get("created"))


class Bucket(Resource):
    """A bucket of blobs."""

    collection = "buckets"
    singular = "bucket"
    columns = ("name", "size")

    @property
    def size(self) -> str | None:
        """How many blobs it holds."""
        return text(self.data.get("size"))

    @property
    def blob_ids(self) -> list[str]:
        """Ids of its blobs."""
        raw = self.data.get("blob", self.data.get("blob_list", self.data.get("blobs")))
        return [v for v in (ref_id(b) for b in as_list(raw)) if v]

    def blob(self, blob_id: str) -> Blob:
        """One blob's metadata."""
        response = self.client.transport.request("GET", self.blob_url(blob_id))
        return self.client.model_from(response, default="blobs")

    def blob_url(self, blob_id: str) -> str:
        """The URL of one of its blobs."""
        return f"{self.href.rstrip('/')}/{quote(blob_id, safe='')}"

    def put_blob(self, blob_id: str, content: bytes, content_type: str = "application/octet-stream",
                 metadata: Mapping[str, str] | None = None) -> Blob:
        """Store ``content`` as blob ``blob_id`` (``PUT``), with user metadata."""
        headers = {"Content-Type": content_type}
        headers.update({f"X-Deltacloud-Blobmeta-{k}": v for k, v in (metadata or {}).items()})
        response = self.client.transport.request("PUT", self.blob_url(blob_id), body=content, headers=headers)
        blob = self.client.model_from(response, default="blobs")
        return blob if isinstance(blob, Blob) else self.blob(blob_id)


class Blob(Resource):
    """An object in a bucket; ``content()`` downloads it."""

    collection = "blobs"
    singular = "blob"
    columns = ("bucket_id", "content_length", "content_type", "last_modified")

    @property
    def bucket_id(self) -> str | None:
        """The bucket holding it."""
        return ref_id(self.data.get("bucket"))

    @property
    def content_length(self) -> str | None:
        """Its size in bytes."""
        return text(self.data.get("content_length"))

    @property
    def content_type(self) -> str | None:
        """Its media type."""
        return text(self.data.get("content_type"))

    @property
    def last_modified(self) -> str | None:
        """When it last changed."""
        return text(self.data.get("last_modified"))

    @property
    def metadata(self) -> dict[str, str]:
        """Its user metadata."""
        raw = self.data.get("user_metadata")
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    def content(self) -> bytes:
        """Download its content."""
        link = self.data.get("content")
        href = link.get("href") if isinstance(link, dict) else None
        url = href or f"{self.href.rstrip('/')}/content"
        response = self.client.transport.request("GET", url, stream=True)
        return response.document.content

    def destroy(self) -> None:
        """Delete the blob."""
        self.client.transport.request("DELETE", self.href)

    def refresh(self) -> Blob:
        """The blob's metadata as the server describes it now."""
        response = self.client.transport.request("GET", self.href)
        return self.client.model_from(response, default="blobs")
