"""Blob bytes and metadata on the wire: ids, metadata rules, upload streams, download chunks."""

import io

import pytest

from deltacloud.api.objectstore import Chunks
from deltacloud.api.params import check_object_id
from deltacloud.errors import ValidationError
from deltacloud.http.blob_io import (
    CHUNK,
    MAX_META_ENTRIES,
    UploadError,
    UploadStream,
    check_content_type,
    content_disposition,
    metadata_from_form,
    metadata_from_headers,
    metadata_headers,
)


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "tab\there", "x" * 1025, "é" * 513])
def test_ids_that_cannot_be_one_path_segment_are_refused(bad):
    with pytest.raises(ValidationError, match="'blob_id'"):
        check_object_id(bad, "blob_id")


@pytest.mark.parametrize("good", ["blob1", "a..b", "with space", "é", "x" * 1024])
def test_ids_that_can_be_one_path_segment_pass(good):
    assert check_object_id(good, "blob_id") == good


def test_metadata_headers_lose_their_case_like_the_original():
    headers = {"X-DELTACLOUD-BLOBMETA-COLOR": "red", "X-DELTACLOUD-BLOBMETA-MY-KEY": " v ", "X-OTHER": "no"}
    assert metadata_from_headers(headers) == {"COLOR": "red", "MY-KEY": "v"}
    assert metadata_headers([("COLOR", "red")]) == [("X-Deltacloud-Blobmeta-COLOR", "red")]


@pytest.mark.parametrize(("name", "value", "where"), [
    ("X-DELTACLOUD-BLOBMETA-K", "caf\u00e9", "X-DELTACLOUD-BLOBMETA-K"),  # not ASCII: cannot go back in a header
    ("X-DELTACLOUD-BLOBMETA-K", "a\x01b", "X-DELTACLOUD-BLOBMETA-K"),
    ("X-DELTACLOUD-BLOBMETA-K", "v" * 1025, "X-DELTACLOUD-BLOBMETA-K"),
    ("X-DELTACLOUD-BLOBMETA-" + "K" * 129, "v", "X-DELTACLOUD-BLOBMETA-"),
])
def test_bad_metadata_headers_are_400_naming_the_header(name, value, where):
    with pytest.raises(ValidationError, match=where):
        metadata_from_headers({name: value})


def test_form_metadata_numbered_repeated_and_counted():
    raw = {"meta_params": ["2"], "meta_name1": ["a"], "meta_value1": ["1"], "meta_name2": ["b"],
           "meta_name3": ["c"], "meta_value3": ["3"], "meta_name": ["x", ""], "meta_value": ["9", "8"]}
    assert metadata_from_form(raw, 2) == {"x": "9", "a": "1", "b": ""}  # meta_name3 is beyond meta_params
    assert metadata_from_form(raw, None) == {"x": "9", "a": "1", "b": "", "c": "3"}
    with pytest.raises(ValidationError, match="meta_name1"):
        metadata_from_form({"meta_name1": ["bad key"], "meta_value1": ["v"]}, None)


def test_too_much_metadata_is_refused():
    headers = {f"X-DELTACLOUD-BLOBMETA-K{i}": "v" for i in range(MAX_META_ENTRIES + 1)}
    with pytest.raises(ValidationError, match="limited"):
        metadata_from_headers(headers)


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert content_disposition("blob1") == 'attachment; filename="blob1"'
    assert content_disposition('r\u00e9sum\u00e9 "1".txt') == (
        'attachment; filename="r_sum_ _1_.txt"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9%20%221%22.txt')


def test_upload_stream_counts_and_reads_in_bounded_chunks():
    data = bytes(range(256)) * 20000  # 5 MB
    stream = UploadStream(io.BytesIO(data).read, len(data))
    chunks = list(stream)
    assert b"".join(chunks) == data and max(map(len, chunks)) <= CHUNK and stream.received == len(data)
    assert stream.read(10) == b""


def test_read_without_a_size_keeps_file_semantics():
    assert UploadStream(io.BytesIO(b"abc" * 1000).read, 3000).read() == b"abc" * 1000


def test_a_short_body_is_an_upload_error_remembered_for_the_core():
    stream = UploadStream(io.BytesIO(b"12345").read, 10)
    assert stream.read(100) == b"12345"
    with pytest.raises(UploadError, match="5 of 10"):
        stream.read(100)
    assert isinstance(stream.failure, UploadError)
    with pytest.raises(UploadError):  # and stays failed
        stream.read(1)


def test_a_broken_input_is_an_upload_error():
    def broken(size):
        raise OSError("connection reset")

    stream = UploadStream(broken, 10)
    with pytest.raises(UploadError, match="could not be read"):
        stream.read(5)


def test_on_end_runs_once_at_the_end_and_may_refuse():
    calls = []

    def on_end():
        calls.append(1)
        raise UploadError("late field")

    stream = UploadStream(io.BytesIO(b"ab").read, on_end=on_end)
    assert stream.read(5) == b"ab"
    with pytest.raises(UploadError, match="late field"):
        stream.read(5)
    assert calls == [1] and stream.failure is not None


def test_chunks_fetch_the_first_chunk_eagerly_and_close_the_source():
    events = []

    def source():
        events.append("started")
        try:
            yield b""
            yield b"one"
            yield b"two"
        finally:
            events.append("closed")

    chunks = Chunks(source())
    assert events == ["started"]  # before anything is sent
    assert next(chunks) == b"one"  # empty chunks are skipped
    chunks.close()
    assert events == ["started", "closed"]


def test_chunks_raise_the_drivers_error_at_construction():
    def missing():
        raise ValidationError("gone")
        yield b""  # pragma: no cover

    with pytest.raises(ValidationError, match="gone"):
        Chunks(missing())


@pytest.mark.parametrize("bad", ["", "plain", "text/" + "x" * 251, "text/caf\u00e9"])
def test_content_types_must_be_sendable_media_types(bad):
    with pytest.raises(ValidationError, match="'Content-Type'"):
        check_content_type(bad, "Content-Type")
    assert check_content_type(" text/plain; charset=utf-8 ", "Content-Type") == "text/plain; charset=utf-8"
