"""Exceptions named for what happened, each carrying the server's own message.

Every error the server reports becomes a subclass of :class:`DeltacloudError` chosen by its HTTP
status; the client raises some of them locally too (an action the instance does not offer, a
collection the server does not advertise). The mapping reads XML and JSON error documents, ours
and the original API's, and the original's plain-text and HTML bodies.
"""

from __future__ import annotations


class DeltacloudError(Exception):
    """Base of every error this library raises about the API.

    ``status`` is the HTTP status (``None`` for errors found locally), ``message`` the server's
    message (or ours), ``url`` the request's URL, ``driver`` and ``provider`` what the server
    reported in its error document, when it did.
    """

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None,
                 driver: str | None = None, provider: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.url = url
        self.driver = driver
        self.provider = provider

    def __str__(self) -> str:
        prefix = f"{self.status} " if self.status else ""
        return f"{prefix}{self.message}"


class ClientError(DeltacloudError):
    """The request was wrong in a way none of the narrower classes names (other 4xx)."""


class ValidationError(ClientError):
    """400: a parameter is missing or has a bad value."""

    status = 400


class AuthenticationError(ClientError):
    """401: the credentials were missing or refused."""

    status = 401


class ForbiddenError(ClientError):
    """403: the server refused the request."""

    status = 403


class NotFoundError(ClientError):
    """404: the resource does not exist (the original API said 403 for an action on a missing instance)."""

    status = 404


class InvalidStateError(ClientError):
    """405: the resource's state does not allow the operation."""

    status = 405


class ActionNotAvailableError(InvalidStateError):
    """Raised locally: the resource did not offer this action in its last representation."""

    status = None


class NotAcceptableError(ClientError):
    """406: the server cannot answer in the requested format."""

    status = 406


class ConflictError(ClientError):
    """409: the request conflicts with the current state (a duplicate name, a bucket not empty)."""

    status = 409


class NotSupportedError(DeltacloudError):
    """501 or 412, or raised locally: the driver does not support this collection or operation."""

    status = 501


class ServerError(DeltacloudError):
    """500: the server failed."""

    status = 500


class BackendError(ServerError):
    """502 or 503: the cloud behind the server failed or is unavailable."""

    status = 502


class BackendTimeoutError(ServerError):
    """504: the cloud behind the server did not answer in time."""

    status = 504


class ProtocolError(DeltacloudError):
    """The server answered something this library cannot read (not the Deltacloud API?)."""


class WaitTimeoutError(DeltacloudError, TimeoutError):
    """A wait for a state ran out of time; ``last_state`` is the state last seen."""

    def __init__(self, message: str, *, last_state: str | None = None, url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.last_state = last_state


class UnreachableStateError(InvalidStateError):
    """The instance is in a state from which the wanted state cannot follow."""

    status = None

    def __init__(self, message: str, *, state: str | None = None, wanted: str | None = None,
                 url: str | None = None) -> None:
        super().__init__(message, url=url)
        self.state = state
        self.wanted = wanted


_BY_STATUS: dict[int, type[DeltacloudError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    405: InvalidStateError,
    406: NotAcceptableError,
    409: ConflictError,
    412: NotSupportedError,
    422: ValidationError,
    500: ServerError,
    501: NotSupportedError,
    502: BackendError,
    503: BackendError,
    504: BackendTimeoutError,
}


def error_class(status: int) -> type[DeltacloudError]:
    """The exception class for an HTTP error status."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ClientError if 400 <= status < 500 else ServerError
