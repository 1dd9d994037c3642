"""The core's exception tree: every failure a client can see is one of these.

Drivers raise these (or have their backend's exceptions translated into them by the
``deltacloud_translate_error`` hook); the app turns them into error documents with the
right status code. Messages are shown to clients, so they must never contain secrets.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


class DeltacloudError(Exception):
    """Base of every error that maps to an HTTP status and an error document."""

    status: int = 500
    title: str = "Internal Server Error"

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        self.headers: dict[str, str] = dict(headers or {})


class ValidationError(DeltacloudError):
    """A request parameter is missing or has a bad value (400)."""

    status = 400
    title = "Bad Request"

    def __init__(self, message: str, *, param: str | None = None) -> None:
        if param and param not in message:
            message = f"Parameter '{param}': {message}"
        super().__init__(message)
        self.param = param


class UnknownDriverError(ValidationError):
    """The request named a driver that is not installed (400)."""


class AuthenticationError(DeltacloudError):
    """Credentials are missing or the cloud refused them (401)."""

    status = 401
    title = "Unauthorized"


class ForbiddenError(DeltacloudError):
    """The cloud refused the operation for these credentials (403)."""

    status = 403
    title = "Forbidden"


class NotFoundError(DeltacloudError):
    """The collection or object does not exist (404)."""

    status = 404
    title = "Not Found"


class MethodNotAllowedError(DeltacloudError):
    """The operation exists but not here: wrong HTTP method or an action its state forbids (405)."""

    status = 405
    title = "Method Not Allowed"

    def __init__(self, message: str | None = None, *, allowed: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(message, headers={"Allow": ", ".join(allowed)})


class NotAcceptableError(DeltacloudError):
    """No representation the client accepts can be produced (406)."""

    status = 406
    title = "Not Acceptable"


class ConflictError(DeltacloudError):
    """The object's current state conflicts with the request (409)."""

    status = 409
    title = "Resource Conflict"


class PayloadTooLargeError(DeltacloudError):
    """The request body is larger than the configured limit (413)."""

    status = 413
    title = "Payload Too Large"


class UnsupportedMediaTypeError(DeltacloudError):
    """The request body has a content type the operation cannot read (415)."""

    status = 415
    title = "Unsupported Media Type"


class NotSupportedError(DeltacloudError):
    """The driver does not implement this operation (501)."""

    status = 501
    title = "Not Supported"


class BackendError(DeltacloudError):
    """The cloud failed or answered something the driver could not understand (502)."""

    status = 502
    title = "Backend Server Error"


class BackendUnavailableError(DeltacloudError):
    """The cloud is throttling or temporarily unavailable (503); ``retry_after`` in seconds."""

    status = 503
    title = "Service Unavailable"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        super().__init__(message, headers=headers)


class BackendTimeoutError(DeltacloudError):
    """The cloud did not answer in time (504)."""

    status = 504
    title = "Gateway Timeout"


class DriverLoadError(Exception):
    """A driver could not be loaded or breaks the driver contract (raised at load time, not per request)."""


@contextlib.contextmanager
def translated(translate: Callable[[Exception], DeltacloudError | None]) -> Iterator[None]:
    """Run a block whose exceptions leave it as ``translate`` makes them into core errors.

    Core errors pass unchanged, and so does an exception ``translate`` answers None for; the
    original stays the translated error's ``__cause__``.
    """
    try:
        yield
    except DeltacloudError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from exc
