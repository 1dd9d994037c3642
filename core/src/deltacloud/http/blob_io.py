"""Blob bytes and metadata on the wire: checks, streamed uploads, streamed downloads.

Nothing here holds a blob in memory. An upload reaches the driver as a file-like object
read in chunks straight from the request (a raw ``PUT`` body, or the ``blob_data`` part of a
multipart form, parsed as it arrives); a download leaves as an iterator of the driver's
chunks. User metadata travels in ``X-Deltacloud-Blobmeta-<key>`` headers or, in forms, as
``meta_name<n>``/``meta_value<n>`` pairs; both are checked here, so that what is stored can
always be sent back as headers.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any
from urllib.parse import quote

import falcon
from falcon.media.multipart import MultipartFormHandler, MultipartParseOptions

from deltacloud.errors import PayloadTooLargeError, ValidationError

#: Prefix of the request and response headers that carry user metadata.
META_PREFIX = "X-Deltacloud-Blobmeta-"
#: Limits on user metadata (what S3 and Swift accept, roughly, and what fits in response headers).
MAX_META_ENTRIES = 64
MAX_META_KEY = 128
MAX_META_VALUE = 1024
MAX_META_BYTES = 8192
#: The longest content type a blob may be given.
MAX_CONTENT_TYPE = 255
#: Bytes a driver should read per ``read()`` call; also the download chunk hint.
CHUNK = 1024 * 1024

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 token: usable as a header name
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_META_HEADER = META_PREFIX.upper()


class UploadError(ValidationError):
    """The request body of an upload could not be read as announced (400): short, malformed, misplaced."""


def check_content_type(value: str, where: str) -> str:
    """A blob's content type as the client gave it, if it can be sent back as a header; 400 naming ``where``."""
    value = value.strip()
    if not value or len(value) > MAX_CONTENT_TYPE or not _PRINTABLE.match(value) or "/" not in value:
        raise ValidationError(f"'{where}' must be a media type such as text/plain, at most {MAX_CONTENT_TYPE} "
                              "printable ASCII characters", param=where)
    return value


# -- user metadata ---------------------------------------------------------------------------------

def check_metadata(pairs: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Checked user metadata from ``(key, value, where)`` triples; ``where`` names the header or parameter.

    Keys must be header-name tokens and values printable ASCII, so every entry can be sent back
    in an ``X-Deltacloud-Blobmeta-<key>`` response header unchanged.
    """
    metadata: dict[str, str] = {}
    size = 0
    for key, value, where in pairs:
        if not key or len(key) > MAX_META_KEY or not _TOKEN.match(key):
            raise ValidationError(f"'{where}': a metadata key must be 1 to {MAX_META_KEY} letters, digits or "
                                  "!#$%&'*+-.^_`|~", param=where)
        value = value.strip()
        if len(value) > MAX_META_VALUE or not _PRINTABLE.match(value):
            raise ValidationError(f"'{where}': a metadata value must be at most {MAX_META_VALUE} printable ASCII "
                                  "characters", param=where)
        metadata[key] = value
        size += len(key) + len(value)
    if len(metadata) > MAX_META_ENTRIES or size > MAX_META_BYTES:
        raise ValidationError(f"User metadata is limited to {MAX_META_ENTRIES} entries and {MAX_META_BYTES} bytes")
    return metadata


def metadata_from_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """User metadata from ``X-Deltacloud-Blobmeta-<key>`` request headers.

    Header names reach a WSGI application without their case, so keys are upper case, as the
    original server stored them (``X-Deltacloud-Blobmeta-Color: red`` is ``COLOR=red``).
    """
    return check_metadata((name[len(_META_HEADER):].upper(), value, name)
                          for name, value in headers.items() if name.upper().startswith(_META_HEADER))


def metadata_from_form(raw: Mapping[str, list[str]], count: int | None) -> dict[str, str]:
    """User metadata from form parameters: ``meta_name<n>``/``meta_value<n>`` or repeated ``meta_name``/``meta_value``.

    ``count`` (``meta_params``) limits the numbered pairs to 1..count when given. Entries with
    an empty name are skipped; a name without a value gets an empty value.
    """
    pairs: list[tuple[str, str, str]] = []
    names, values = raw.get("meta_name", []), raw.get("meta_value", [])
    pairs += [(name.strip(), values[i] if i < len(values) else "", "meta_name") for i, name in enumerate(names)]
    numbers = sorted({int(k[9:]) for k in raw if k.startswith("meta_name") and k[9:].isdigit()})
    for n in numbers:
        if count is not None and not 1 <= n <= count:
            continue
        value = raw.get(f"meta_value{n}", [""])
        pairs.append((raw[f"meta_name{n}"][-1].strip(), value[-1] if value else "", f"meta_name{n}"))
    return check_metadata((k, v, where) for k, v, where in pairs if k)


def metadata_headers(metadata: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The response headers that carry a blob's user metadata."""
    return [(META_PREFIX + key, value) for key, value in metadata]


def content_disposition(filename: str) -> str:
    """``attachment`` with the blob id as the file name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += "; filename*=UTF-8''" + quote(filename, safe="")
    return header


# -- uploads ---------------------------------------------------------------------------------------

class UploadStream:
    """A read-only file-like view of an upload: counts bytes and turns every read failure into ``UploadError``.

    ``expected`` is the announced length (a short body is an error); ``on_end`` runs once when the
    data is exhausted and may raise (a multipart form checks what follows its file there). The
    first error raised is kept in ``failure``, so the core can report it even if a driver wraps it.
    """

    def __init__(self, read: Callable[[int], bytes], expected: int | None = None,
                 on_end: Callable[[], None] | None = None) -> None:
        self._read, self.expected, self._on_end = read, expected, on_end
        self.received = 0
        self.failure: UploadError | None = None
        self._ended = False

    def readable(self) -> bool:
        """File-like protocol: always readable."""
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes; everything that is left when ``size`` is negative (drivers should not ask that)."""
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(CHUNK), b""))
        if self.failure is not None:
            raise self.failure
        if self._ended or size == 0:
            return b""
        try:
            data = self._read(size)
        except falcon.HTTPError as exc:  # e.g. a malformed multipart form
            self._fail(f"The request body could not be read: {exc.description or exc.title}")
        except (OSError, ValueError):  # the client went away or the server's input failed
            self._fail("The request body could not be read to its end")
        if data:
            self.received += len(data)
            return data
        self._ended = True
        if self.expected is not None and self.received < self.expected:
            self._fail(f"The request body ended after {self.received} of {self.expected} bytes")
        if self._on_end is not None:
            try:
                self._on_end()
            except UploadError as exc:
                self.failure = exc
                raise
            except falcon.HTTPError as exc:  # the rest of a multipart form is malformed or cut short
                self._fail(f"The request body could not be read: {exc.description or exc.title}")
        return b""

    def _fail(self, message: str) -> Any:
        self.failure = UploadError(message)
        raise self.failure

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK):
            yield chunk


def body_stream(req: falcon.Request) -> UploadStream:
    """The raw request body as an ``UploadStream``: ``Content-Length`` bytes, or chunked until its end.

    A chunked body is read when the WSGI server says its input ends by itself
    (``wsgi.input_terminated``, as gunicorn does); without either, the body is empty.
    """
    if req.content_length is not None:
        return UploadStream(req.bounded_stream.read, req.content_length)
    if req.env.get("wsgi.input_terminated"):
        return UploadStream(req.stream.read)
    return UploadStream(lambda _size: b"", 0)


#: Fields other than the file are small: parsed one part at a time within this many bytes.
_FIELD_BYTES = 64 * 1024


class FormUpload:
    """A ``multipart/form-data`` upload, parsed while it streams.

    ``fields()`` reads every field, bounded in count and size, in whatever order the form has
    them. The file part (``file_field``) is copied to a spool on its way (``SPOOL_MEMORY`` bytes
    in memory, the rest in an unnamed temporary file), so fields that follow it (``meta_params``,
    ``meta_name1``…, as some form encoders order them) are read before the driver is called and
    memory stays bounded at any size; ``stream`` then reads the spool.
    """

    def __init__(self, req: falcon.Request, file_field: str, declared: Iterable[str], max_fields: int) -> None:
        if req.content_length is None:
            raise falcon.HTTPLengthRequired(description="A multipart upload needs a Content-Length")
        options = MultipartParseOptions()
        options.max_body_part_buffer_size = _FIELD_BYTES
        options.max_body_part_count = 2 * MAX_META_ENTRIES + 16
        handler = MultipartFormHandler(options)
        self._parts = iter(handler.deserialize(req.bounded_stream, req.content_type, req.content_length))
        self.file_field, self._declared, self._max_fields = file_field, frozenset(declared), max_fields
        self.stream: UploadStream | None = None
        self.content_type = "application/octet-stream"
        self.filename: str | None = None
        #: Kept for callers of the former streaming form: undeclared fields are now reported by validation.
        self.ignored: list[str] = []

    def fields(self) -> dict[str, list[str]]:
        """Every field of the form, in any order; ``stream`` is then the spooled file part, or None without one."""
        fields: dict[str, list[str]] = {}
        total = 0
        for part in _readable(self._parts):
            name = _part_header(lambda p=part: p.name) or ""
            if name == self.file_field:
                if self.stream is not None:
                    raise UploadError(f"Form field '{name}' is given twice", param=name)
                self.content_type = _part_header(lambda p=part: p.content_type)
                self.filename = _part_header(lambda p=part: p.filename)
                spool, size = _spool(part)
                self.stream = UploadStream(spool.read, size, on_end=spool.close)
                continue
            text = _part_text(part, name)
            total += len(text)
            if total > self._max_fields:
                raise PayloadTooLargeError(f"Form fields larger than {self._max_fields} bytes")
            fields.setdefault(name, []).append(text)
        return fields


def _readable(parts: Iterator[Any]) -> Iterator[Any]:
    """The form's parts; a form that is malformed or cut short is an ``UploadError`` (400)."""
    while True:
        try:
            part = next(parts)
        except StopIteration:
            return
        except falcon.HTTPError as exc:
            raise UploadError(f"The request body could not be read: {exc.description or exc.title}") from None
        yield part


#: Bytes of a form's file part kept in memory before its spool moves to a temporary file.
SPOOL_MEMORY = CHUNK


def _spool(part: Any) -> tuple[IO[bytes], int]:
    """Copy a form's file part, chunk by chunk, to a spool (memory, then an unnamed temporary file); its size."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - handed to the caller
    size = 0
    try:
        while True:
            try:
                chunk = part.stream.read(CHUNK)
            except falcon.HTTPError as exc:
                raise UploadError(f"The request body could not be read: {exc.description or exc.title}") from None
            except (OSError, ValueError):
                raise UploadError("The request body could not be read to its end") from None
            if not chunk:
                break
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, size


def _part_header(get: Callable[[], Any]) -> Any:
    try:
        return get()
    except (UnicodeDecodeError, ValueError):
        raise UploadError("A form part has a malformed header") from None
    except falcon.HTTPError as exc:
        raise UploadError(f"Malformed form: {exc.description or exc.title}") from None


def _part_text(part: Any, name: str) -> str:
    try:
        return part.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError(f"Form field '{name}' is not UTF-8 text", param=name or None) from None
    except falcon.HTTPError as exc:
        raise UploadError(f"Form field '{name}': {exc.description or exc.title}", param=name or None) from None


# -- downloads -------------------------------------------------------------------------------------
