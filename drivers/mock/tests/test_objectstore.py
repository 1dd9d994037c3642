"""The mock's buckets and blobs through the driver: seed, lifecycle, validation, files on disk, failure paths."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from deltacloud.driver import BlobData
from deltacloud.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from deltacloud.http.blob_io import UploadError, UploadStream
from deltacloud_driver_mock import objectstore
from deltacloud_driver_mock.blobfiles import BlobFiles
from deltacloud_driver_mock.store import Transaction


def _put(driver, bucket, blob, data: bytes, content_type="application/octet-stream", **metadata):
    return driver.create_blob(bucket, blob, io.BytesIO(data), content_type, metadata, len(data))


def _content(driver, bucket, blob) -> bytes:
    data = driver.blob_data(bucket, blob)
    try:
        return b"".join(data)
    finally:
        data.close()


def _files(storage: Path) -> list[Path]:
    """Every blob file on disk, uploads in progress excluded."""
    root = storage / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file() and "incoming" not in p.parts) if root.exists() else []


def _incoming(storage: Path) -> list[Path]:
    return list((storage / "blobs" / "incoming").glob("*"))


def test_seeded_buckets_and_blobs(driver):
    assert [(b.id, b.size, b.blob_ids) for b in driver.buckets({})] == [
        ("bucket1", 3, ("blob1", "blob2", "blob3")), ("bucket2", 2, ("blob4", "blob5"))]
    assert driver.bucket("bucket2").blob_ids == ("blob4", "blob5")
    assert driver.buckets({"id": "unknown"}) == []
    blob = driver.blob("bucket1", "blob1")
    assert (blob.content_type, blob.content_length) == ("text/plain", 17)
    assert blob.user_metadata == (("SOMENEWKEY", "NEWVALUE"),)
    assert _content(driver, "bucket1", "blob2") == b"<html><head></head><body>content of blob 2</body></html>"


def test_bucket_lifecycle(driver, storage):
    created = driver.create_bucket("fresh", "eu")
    assert (created.id, created.size, created.location) == ("fresh", 0, "eu")
    assert driver.bucket("fresh").location == "eu"
    with pytest.raises(ConflictError, match="already exists"):
        driver.create_bucket("fresh")
    _put(driver, "fresh", "one", b"1")
    with pytest.raises(ConflictError, match="not empty: delete its 1 blob"):
        driver.destroy_bucket("fresh")
    driver.destroy_blob("fresh", "one")
    driver.destroy_bucket("fresh")
    assert driver.buckets({"id": "fresh"}) == [] and _files(storage) == []
    assert not [p for p in (storage / "blobs").iterdir() if p.name != "incoming"]  # its directory went too
    with pytest.raises(NotFoundError):
        driver.destroy_bucket("fresh")


@pytest.mark.parametrize("name", ["", "  ", "a/b", "a..b", "..", "tab\t", "x" * 256])
def test_bad_bucket_names_are_400_naming_the_parameter(driver, name):
    with pytest.raises(ValidationError) as caught:
        driver.create_bucket(name)
    assert caught.value.param == "name"


def test_bucket_location_must_be_a_realm(driver):
    with pytest.raises(ValidationError) as caught:
        driver.create_bucket("somewhere", "mars")
    assert caught.value.param == "location"
    assert driver.create_bucket("nowhere", None).location == ""


def test_blob_lifecycle_and_its_files(driver, storage):
    blob = _put(driver, "bucket2", "new", b"first version", "text/x-one", COLOR="red")
    assert (blob.id, blob.bucket, blob.content_length, blob.content_type) == ("new", "bucket2", 13, "text/x-one")
    assert blob.user_metadata == (("COLOR", "red"),) and blob.last_modified.endswith("Z")
    assert driver.bucket("bucket2").blob_ids == ("blob4", "blob5", "new")
    assert len(_files(storage)) == 1
    replaced = _put(driver, "bucket2", "new", b"second", "text/x-two")
    assert (replaced.content_length, replaced.user_metadata) == (6, ())
    assert _content(driver, "bucket2", "new") == b"second"
    assert len(_files(storage)) == 1  # the first version's file is gone
    assert driver.bucket("bucket2").blob_ids == ("blob4", "blob5", "new")  # replacing keeps the place
    updated = driver.update_blob_metadata("bucket2", "new", {"A": "1", "B": "2"})
    assert updated.user_metadata == (("A", "1"), ("B", "2"))
    assert _content(driver, "bucket2", "new") == b"second"
    driver.destroy_blob("bucket2", "new")
    assert _files(storage) == [] and _incoming(storage) == []
    for call in (lambda: driver.blob("bucket2", "new"), lambda: driver.blob_data("bucket2", "new"),
                 lambda: driver.update_blob_metadata("bucket2", "new", {}),
                 lambda: driver.destroy_blob("bucket2", "new")):
        with pytest.raises(NotFoundError, match="Blob 'new' not found in bucket 'bucket2'"):
            call()


def test_blob_data_says_which_version_it_streams(driver):
    _put(driver, "bucket1", "v", b"A" * 3_000_000, "text/a")
    data = driver.blob_data("bucket1", "v")
    assert isinstance(data, BlobData) and data.blob.content_length == 3_000_000
    first = next(data)
    _put(driver, "bucket1", "v", b"B" * 10, "text/b")  # replaced while being read
    assert first + b"".join(data) == b"A" * 3_000_000  # the reader finishes the version it started
    assert _content(driver, "bucket1", "v") == b"B" * 10


def test_blob_data_reads_the_document_again_when_its_file_vanished(driver, monkeypatch):
    _put(driver, "bucket1", "r", b"data")
    real_open, calls = BlobFiles.open, []

    def flaky(self, relative):
        calls.append(relative)
        if len(calls) == 1:
            raise FileNotFoundError(relative)
        return real_open(self, relative)

    monkeypatch.setattr(BlobFiles, "open", flaky)
    assert _content(driver, "bucket1", "r") == b"data" and len(calls) == 2


def test_missing_bucket(driver, storage):
    with pytest.raises(NotFoundError, match="Bucket 'nope' not found"):
        _put(driver, "nope", "x", b"never written")
    with pytest.raises(NotFoundError, match="Bucket 'nope' not found"):
        driver.blob("nope", "x")
    assert _files(storage) == [] and _incoming(storage) == []


@pytest.mark.parametrize("name", ["a/b", "..x", "nul\x00", "x" * 1025])
def test_bad_blob_names_are_400_naming_the_parameter(driver, name):
    with pytest.raises(ValidationError) as caught:
        _put(driver, "bucket1", name, b"x")
    assert caught.value.param == "blob_id"


def test_a_failing_upload_stores_nothing_and_keeps_the_previous_version(driver, storage):
    _put(driver, "bucket1", "keep", b"old content")
    short = UploadStream(io.BytesIO(b"only part").read, 100)
    with pytest.raises(UploadError, match="9 of 100"):
        driver.create_blob("bucket1", "keep", short, "text/plain", {}, 100)
    assert _content(driver, "bucket1", "keep") == b"old content"
    assert len(_files(storage)) == 1 and _incoming(storage) == []


def test_a_failed_commit_removes_the_placed_file(driver, storage, monkeypatch):
    _put(driver, "bucket1", "keep", b"old content")
    real_put = Transaction.put

    def failing_put(self, kind, doc, owner=None):
        if kind == objectstore.BLOBS:
            raise sqlite3.OperationalError("disk I/O error")
        return real_put(self, kind, doc, owner)

    monkeypatch.setattr(Transaction, "put", failing_put)
    with pytest.raises(sqlite3.OperationalError):
        _put(driver, "bucket1", "keep", b"new content")
    monkeypatch.undo()
    assert _content(driver, "bucket1", "keep") == b"old content"
    assert len(_files(storage)) == 1 and _incoming(storage) == []


def test_uploads_are_read_in_bounded_chunks(driver):
    sizes = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            sizes.append(size)
            return super().read(size)

    driver.create_blob("bucket1", "chunked", Recording(b"z" * 5_000_000), "application/x", {}, None)
    assert sizes and all(0 < s <= 1024 * 1024 for s in sizes)
    assert driver.blob("bucket1", "chunked").content_length == 5_000_000


def test_object_storage_needs_the_mock_credentials(make_driver):
    from deltacloud.models import Credentials

    stranger = make_driver(Credentials("someone", "else"))
    for call in (lambda: stranger.buckets({}), lambda: stranger.blob("bucket1", "blob1"),
                 lambda: stranger.create_bucket("x"), lambda: stranger.blob_data("bucket1", "blob1")):
        with pytest.raises(AuthenticationError):
            call()
