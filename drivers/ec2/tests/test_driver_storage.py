"""Volumes, snapshots, buckets and blobs at the driver level, against moto."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest

from deltacloud.errors import ConflictError, NotFoundError, ValidationError
from deltacloud.models import LaunchOptions


def test_volume_lifecycle(driver, moto):
    instance = driver.create_instance(moto.images["x86"], LaunchOptions(realm_id="us-east-1a",
                                                                       hardware_profile_id="t3.micro"))
    volume = driver.create_storage_volume(capacity=3, realm_id="us-east-1a", name="data", description="scratch")
    assert (volume.capacity, volume.realm_id, volume.state) == ("3", "us-east-1a", "AVAILABLE")
    assert (volume.name, volume.description) == ("data", "scratch")
    assert volume.id in [v.id for v in driver.storage_volumes({})]
    attached = driver.attach_storage_volume(volume.id, instance.id, "/dev/sdh")
    assert (attached.state, attached.instance_id, attached.device) == ("IN-USE", instance.id, "/dev/sdh")
    assert volume.id in [v.id for v in driver.instance(instance.id).storage_volumes]
    with pytest.raises(ConflictError):
        driver.destroy_storage_volume(volume.id)
    detached = driver.detach_storage_volume(volume.id)
    assert (detached.state, detached.instance_id) == ("AVAILABLE", "")
    with pytest.raises(ConflictError):
        driver.detach_storage_volume(volume.id)
    driver.destroy_storage_volume(volume.id)
    assert volume.id not in [v.id for v in driver.storage_volumes({})]


def test_volume_defaults_to_an_available_zone(driver):
    volume = driver.create_storage_volume(capacity=1)
    assert volume.realm_id in [r.id for r in driver.realms({})]


def test_volume_needs_a_size_or_a_snapshot(driver):
    with pytest.raises(ValidationError):
        driver.create_storage_volume()


def test_missing_volume_is_404(driver):
    with pytest.raises(NotFoundError):
        driver.storage_volume("vol-0123456789abcdef0")
    with pytest.raises(NotFoundError):
        driver.destroy_storage_volume("vol-0123456789abcdef0")


def test_snapshot_lifecycle_and_volume_from_snapshot(driver, moto):
    volume = driver.create_storage_volume(capacity=4, realm_id="us-east-1a")
    snapshot = driver.create_storage_snapshot(volume.id, "nightly", "the nightly snapshot")
    assert (snapshot.volume_id, snapshot.name, snapshot.description) == (volume.id, "nightly",
                                                                         "the nightly snapshot")
    assert snapshot.id in [s.id for s in driver.storage_snapshots({})]
    assert driver.storage_snapshot(snapshot.id).state == "COMPLETED"
    restored = driver.create_storage_volume(realm_id="us-east-1b", snapshot_id=snapshot.id)
    assert (restored.snapshot_id, restored.capacity) == (snapshot.id, "4")
    driver.destroy_storage_snapshot(snapshot.id)
    assert snapshot.id not in [s.id for s in driver.storage_snapshots({})]
    with pytest.raises(NotFoundError):
        driver.destroy_storage_snapshot(snapshot.id)


def test_snapshot_of_a_missing_volume_is_400(driver):
    with pytest.raises(ValidationError):
        driver.create_storage_snapshot("vol-0123456789abcdef0")


def test_bucket_and_blob_lifecycle(driver, moto):
    bucket = driver.create_bucket("dc-bucket")
    assert bucket.id == "dc-bucket"
    assert "dc-bucket" in [b.id for b in driver.buckets({})]
    blob = driver.create_blob("dc-bucket", "docs/readme.txt", io.BytesIO(b"hello, world\n"), "text/plain",
                              {"author": "ops"})
    assert (blob.id, blob.bucket, blob.content_length, blob.content_type) == (
        "docs/readme.txt", "dc-bucket", 13, "text/plain")
    assert dict(blob.user_metadata) == {"author": "ops"}
    shown = driver.bucket("dc-bucket")
    assert (shown.size, shown.blob_ids) == (1, ("docs/readme.txt",))
    data = driver.blob_data("dc-bucket", "docs/readme.txt")
    assert (data.blob.content_length, data.blob.content_type) == (13, "text/plain"), "the GET's own headers"
    assert dict(data.blob.user_metadata) == {"author": "ops"}
    assert b"".join(data) == b"hello, world\n"
    body = moto.client("s3").get_object(Bucket="dc-bucket", Key="docs/readme.txt")["Body"].read()
    assert body == b"hello, world\n"
    updated = driver.update_blob_metadata("dc-bucket", "docs/readme.txt", {"author": "dev", "tier": "1"})
    assert dict(updated.user_metadata) == {"author": "dev", "tier": "1"}
    assert updated.content_type == "text/plain"
    with pytest.raises(ConflictError):
        driver.destroy_bucket("dc-bucket")
    driver.destroy_blob("dc-bucket", "docs/readme.txt")
    with pytest.raises(NotFoundError):
        driver.blob("dc-bucket", "docs/readme.txt")
    driver.destroy_bucket("dc-bucket")
    assert "dc-bucket" not in [b.id for b in driver.buckets({})]


def test_bucket_location(driver, moto):
    driver.create_bucket("dc-eu", "eu-west-1")
    assert driver.bucket("dc-eu").location == "eu-west-1"
    assert moto.client("s3").get_bucket_location(Bucket="dc-eu")["LocationConstraint"] == "eu-west-1"
    driver.create_bucket("dc-us")
    assert driver.bucket("dc-us").location == "us-east-1"


def test_missing_bucket_and_blob_are_404(driver):
    with pytest.raises(NotFoundError):
        driver.bucket("dc-no-such-bucket")
    assert driver.buckets({"id": "dc-no-such-bucket"}) == []
    driver.create_bucket("dc-empty")
    with pytest.raises(NotFoundError):
        driver.blob("dc-empty", "nothing")
    with pytest.raises(NotFoundError):
        next(iter(driver.blob_data("dc-empty", "nothing")))
    with pytest.raises(NotFoundError):
        driver.destroy_blob("dc-empty", "nothing")


def test_duplicate_bucket_is_409(driver):
    driver.create_bucket("dc-twice")
    with pytest.raises(ConflictError):
        driver.create_bucket("dc-twice")


class _Generated(io.RawIOBase):
    """``size`` bytes produced on demand (never held whole), hashed as they are read."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.digest = hashlib.sha256()
        self.block = os.urandom(1 << 20)
        self.offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left, len(self.block) - self.offset)
        chunk = self.block[self.offset:self.offset + n]
        self.offset = (self.offset + n) % len(self.block)
        buffer[:n] = chunk
        self.left -= n
        self.digest.update(chunk)
        return n


def test_large_upload_and_download_stream(driver):
    """A 40 MB blob goes up in 5 MB parts and comes down in 64 KB chunks; memory is bounded by the part size."""
    driver.create_bucket("dc-large")
    size = 40 * 1024 * 1024
    source = _Generated(size)
    tracemalloc.start()
    try:
        blob = driver.create_blob("dc-large", "big.bin", source, "application/octet-stream", {}, size)
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest, received, biggest = hashlib.sha256(), 0, 0
        for chunk in driver.blob_data("dc-large", "big.bin"):
            digest.update(chunk)
            received += len(chunk)
            biggest = max(biggest, len(chunk))
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blob.content_length == size and received == size
    assert digest.hexdigest() == source.digest.hexdigest()
    assert biggest <= 64 * 1024
    assert upload_peak < 20 * 1024 * 1024, f"upload held {upload_peak} bytes of a {size}-byte blob"
    assert download_peak < 2 * 1024 * 1024, f"download held {download_peak} bytes of a {size}-byte blob"
