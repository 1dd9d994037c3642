"""Falcon resources of buckets and blobs, serving the operations ``deltacloud.api.objectstore`` declares.

Bucket index, show, create and destroy take the generic path (``Api.execute``). Blob
operations need more than parameters in and a document out: their bodies stream to the
driver, their metadata travels in headers, their content streams back in its own type. They
still check the description (is the operation supported, which parameters does it take),
call the driver through ``calls.call_driver`` (timing, error translation) and render through the
registered writers, so they answer like every other operation.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Callable
from typing import Any

import falcon

from deltacloud.api.objectstore import BLOB_PATH
from deltacloud.api.params import check_object_id, validate, warning_header
from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.errors import (
    AuthenticationError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    ValidationError,
)
from deltacloud.http.blob_io import (
    FormUpload,
    UploadStream,
    body_stream,
    check_content_type,
    content_disposition,
    metadata_from_form,
    metadata_from_headers,
    metadata_headers,
)
from deltacloud.http.bodies import raw_params
from deltacloud.http.calls import call_driver
from deltacloud.http.context import MATRIX_PARAMS_KEY, RequestState
from deltacloud.http.resources import (
    CONTENT_TYPES,
    Api,
    CollectionResource,
    MemberResource,
    _method_override,
    check_credentials,
    operation_params,
    render_context,
    state_of,
)
from deltacloud.render.document import render_item
from deltacloud.render.objectstore import blob_href

_FORM = "application/x-www-form-urlencoded"


def url_params(req: falcon.Request) -> dict[str, list[str]]:
    """Matrix and query-string parameters (never the body, which belongs to the blob)."""
    raw: dict[str, list[str]] = {}
    for key, values in req.env.get(MATRIX_PARAMS_KEY, {}).items():
        raw.setdefault(key, []).extend(values)
    for key, value in req.params.items():
        raw.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    return raw


class BucketOps:
    """What the bucket resources share: checks against the description, the driver call, the answer."""

    def __init__(self, api: Api, collection: Collection) -> None:
        self.api, self.collection = api, collection
        # Blobs are rendered as documents of their own: {"blob": {...}} in JSON, "blob <id>" in HTML.
        self.blob_view = dataclasses.replace(collection, singular="blob")

    def start(self, req: falcon.Request, name: str, template: str) -> tuple[Operation, RequestState]:
        """The operation ``name`` if the request's driver offers it; 404 or 405 (with ``Allow``) otherwise."""
        state = state_of(req)
        if not self.api.supported(self.collection, state):
            raise NotFoundError(f"Collection 'buckets' is not supported by driver '{state.driver_name}'")
        op = self.collection.operation(name)
        if op is None or not self.api.operation_supported(op, self.collection, state):
            raise MethodNotAllowedError(f"Driver '{state.driver_name}' does not support {name} on buckets",
                                        allowed=self.allowed(state, template))
        if op.auth and state.credentials is None:  # 401 before any parameter is judged
            raise AuthenticationError("Authentication required")
        return op, state

    def allowed(self, state: RequestState, template: str) -> list[str]:
        """The methods of the operations the driver supports at ``template`` (relative to ``/api/buckets``)."""
        methods = {"OPTIONS"}
        methods.update(op.http_method for op in self.collection.operations
                       if op.url_template == template and self.api.operation_supported(op, self.collection, state))
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods)

    def params(self, op: Operation, state: RequestState) -> list[Param]:
        """The parameters ``op`` reads from the query string or body (header parameters are read apart)."""
        return [p for p in operation_params(op, self.collection, state) if p.source != "header"]

    def check_url(self, req: falcon.Request, resp: falcon.Response, op: Operation, state: RequestState) -> None:
        """Validate the query string against ``op``; report the parameters it does not take."""
        _, ignored = validate(self.params(op, state), url_params(req))
        warn(resp, ignored)

    def call(self, state: RequestState, op: Operation, bucket_id: str, values: dict[str, Any]) -> Any:
        """The driver call of ``op``, timed and with backend errors translated, as every operation's."""
        return call_driver(state.driver(), op, bucket_id, values, state)

    def upload(self, state: RequestState, op: Operation, bucket_id: str, values: dict[str, Any],
               stream: UploadStream) -> Any:
        """Store a blob; a failure reading the client's body is reported as such, whatever the driver made of it."""
        try:
            return self.call(state, op, bucket_id, {**values, "stream": stream})
        except Exception:
            if stream.failure is not None:
                raise stream.failure from None
            raise

    def send_blob(self, req: falcon.Request, resp: falcon.Response, status: int, blob: Any) -> None:
        """The blob's document in the negotiated format."""
        state = state_of(req)
        resp.status = status
        resp.content_type = CONTENT_TYPES[state.fmt]
        resp.data = render_item(blob, self.blob_view, render_context(req), state.fmt)


def warn(resp: falcon.Response, ignored: list[str]) -> None:
    """The ``Warning`` header listing parameters nothing read (never a 400)."""
    if ignored:
        resp.set_header("Warning", warning_header(ignored))


def credentials_first(responder: Callable[..., None]) -> Callable[..., None]:
    """A blob responder whose 400s become 401s when the credentials are missing or refused (asked only then)."""

    @functools.wraps(responder)
    def checked(self: Any, req: falcon.Request, resp: falcon.Response, *args: Any, **kwargs: Any) -> None:
        try:
            responder(self, req, resp, *args, **kwargs)
        except ValidationError:
            check_credentials(None, state_of(req))
            raise

    return checked


class BucketResource(MemberResource):
    """``/api/buckets/<id>``: show (GET), destroy (DELETE) and a blob upload with a form (POST)."""

    def __init__(self, api: Api, collection: Collection, ops: BucketOps) -> None:
        super().__init__(api, collection)
        self.ops = ops

    @credentials_first
    def on_post(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        media = (req.content_type or "").split(";")[0].strip().lower()
        if media == _FORM and (req.content_length or 0) > self.api.max_body:
            raise PayloadTooLargeError(f"Request body larger than {self.api.max_body} bytes")
        if _method_override(req) == "delete":
            self.api.execute(req, resp, self.collection, "destroy", id)
            return
        op, state = self.ops.start(req, "create_blob", "/{id}")
        bucket_id = check_object_id(id, "id")
        params = self.ops.params(op, state)
        form: FormUpload | None = None
        if media == "multipart/form-data":
            form = FormUpload(req, "blob_data", [p.name for p in params], self.api.max_body)
            raw = url_params(req)
            for key, values in form.fields().items():
                raw.setdefault(key, []).extend(values)
            if form.stream is not None:  # the file part, spooled: fields may have come before or after it
                raw.pop("blob_data", None)
                values, ignored = validate([p for p in params if p.name != "blob_data"], raw)
                stream, content_type = form.stream, check_content_type(form.content_type, "blob_data")
            else:  # no file part: blob_data, if anywhere, is a text field or in the query string
                values, ignored = validate(params, raw)
                stream, content_type = _text_stream(values["blob_data"]), "text/plain"
        else:  # the original clients' way: everything in the query string or a urlencoded form
            raw = raw_params(req, self.api.max_body)
            values, ignored = validate(params, raw)
            stream, content_type = _text_stream(values["blob_data"]), "text/plain"
        blob_id = check_object_id(values["blob_id"], "blob_id")
        metadata = metadata_from_form(raw, values.get("meta_params"))
        blob = self.ops.upload(state, op, bucket_id, {
            "blob_id": blob_id, "content_type": content_type, "user_metadata": metadata,
            "content_length": stream.expected}, stream)
        warn(resp, ignored + (form.ignored if form is not None else []))
        self.ops.send_blob(req, resp, op.status, blob)
        resp.location = blob_href(render_context(req), bucket_id, blob.id)

    def on_options(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        if self.collection.operation(id) is not None:  # OPTIONS /api/buckets/<operation>: its parameters
            super().on_options(req, resp, id)
            return
        resp.set_header("Allow", ", ".join(self.ops.allowed(state_of(req), "/{id}")))
        resp.status = 200


def _text_stream(text: str) -> UploadStream:
    data = text.encode("utf-8")
    return UploadStream(io.BytesIO(data).read, len(data))


class BlobResource:
    """``/api/buckets/<id>/<blob_id>``: show (GET), metadata (HEAD), upload (PUT), new metadata (POST), delete."""

    def __init__(self, ops: BucketOps) -> None:
        self.ops = ops

    def _ids(self, id: str, blob_id: str) -> tuple[str, dict[str, Any]]:
        return check_object_id(id, "id"), {"blob_id": check_object_id(blob_id, "blob_id")}

    @credentials_first
    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        op, state = self.ops.start(req, "show_blob", BLOB_PATH)
        self.ops.check_url(req, resp, op, state)
        blob = self.ops.call(state, op, *self._ids(id, blob_id))
        self.ops.send_blob(req, resp, op.status, blob)

    @credentials_first
    def on_head(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        op, state = self.ops.start(req, "blob_metadata", BLOB_PATH)
        blob = self.ops.call(state, op, *self._ids(id, blob_id))
        resp.status = op.status
        for name, value in metadata_headers(blob.user_metadata):
            resp.append_header(name, value)

    @credentials_first
    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        op, state = self.ops.start(req, "put_blob", BLOB_PATH)
        self.ops.check_url(req, resp, op, state)
        bucket_id, values = self._ids(id, blob_id)
        values["user_metadata"] = metadata_from_headers(req.headers)
        values["content_type"] = check_content_type(req.content_type or "application/octet-stream", "Content-Type")
        stream = body_stream(req)
        values["content_length"] = stream.expected
        blob = self.ops.upload(state, op, bucket_id, values, stream)
        self.ops.send_blob(req, resp, op.status, blob)

    @credentials_first
    def on_post(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        if (req.content_type or "").startswith(_FORM) and (req.content_length or 0) > self.ops.api.max_body:
            raise PayloadTooLargeError(f"Request body larger than {self.ops.api.max_body} bytes")
        if _method_override(req) == "delete":
            self.on_delete(req, resp, id, blob_id)
            return
        op, state = self.ops.start(req, "update_blob_metadata", BLOB_PATH)
        self.ops.check_url(req, resp, op, state)
        bucket_id, values = self._ids(id, blob_id)
        values["user_metadata"] = metadata_from_headers(req.headers)
        blob = self.ops.call(state, op, bucket_id, values)
        resp.status = op.status
        for name, value in metadata_headers(blob.user_metadata):
            resp.append_header(name, value)

    @credentials_first
    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        op, state = self.ops.start(req, "destroy_blob", BLOB_PATH)
        self.ops.check_url(req, resp, op, state)
        self.ops.call(state, op, *self._ids(id, blob_id))
        resp.status = op.status

    def on_options(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        resp.set_header("Allow", ", ".join(self.ops.allowed(state_of(req), BLOB_PATH)))
        resp.status = 200


class BlobContentResource:
    """``/api/buckets/<id>/<blob_id>/content``: the blob's bytes, streamed, in its own content type."""

    #: The user's data is served as it is: Accept and ?format= never make it a 406.
    ignores_accept = True

    def __init__(self, ops: BucketOps) -> None:
        self.ops = ops

    @credentials_first
    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        op, state = self.ops.start(req, "blob_content", f"{BLOB_PATH}/content")
        bucket_id = check_object_id(id, "id")
        blob, chunks = self.ops.call(state, op, bucket_id, {"blob_id": check_object_id(blob_id, "blob_id")})
        self._headers(resp, blob)
        resp.stream = chunks

    @credentials_first
    def on_head(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        _, state = self.ops.start(req, "blob_content", f"{BLOB_PATH}/content")
        show = self.ops.collection.operation("show_blob")
        assert show is not None
        bucket_id = check_object_id(id, "id")
        self._headers(resp, self.ops.call(state, show, bucket_id, {"blob_id": check_object_id(blob_id, "blob_id")}))

    @staticmethod
    def _headers(resp: falcon.Response, blob: Any) -> None:
        resp.status = 200
        resp.content_type = blob.content_type or "application/octet-stream"
        resp.content_length = blob.content_length
        resp.set_header("Content-Disposition", content_disposition(blob.id))
        resp.set_header("X-Content-Type-Options", "nosniff")

    def on_options(self, req: falcon.Request, resp: falcon.Response, id: str, blob_id: str) -> None:
        resp.set_header("Allow", ", ".join(self.ops.allowed(state_of(req), f"{BLOB_PATH}/content")))
        resp.status = 200


def bucket_routes(api: Api, collection: Collection) -> dict[str, Any]:
    """The routes of the buckets collection: the generic listing, then the bucket, blob and content resources."""
    ops = BucketOps(api, collection)
    base = f"/api/{collection.name}"
    return {base: CollectionResource(api, collection), f"{base}/{{id}}": BucketResource(api, collection, ops),
            f"{base}{BLOB_PATH}": BlobResource(ops), f"{base}{BLOB_PATH}/content": BlobContentResource(ops)}
