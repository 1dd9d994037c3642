"""apache-libcloud's exceptions in the core's vocabulary (for drivers built on libcloud).

Imported only when a libcloud exception is being translated, so the core does not depend on
libcloud. Structured errors (HTTP status and the cloud's code) go through the driver's
``ErrorTable``; libcloud's typed storage errors map directly.
"""

from __future__ import annotations

from libcloud.common.exceptions import BaseHTTPError, RateLimitReachedError
from libcloud.common.types import InvalidCredsError, LibcloudError, MalformedResponseError
from libcloud.storage.types import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    ObjectDoesNotExistError,
)

from deltacloud.driver.toolkit.errors import DEFAULT_RETRY_AFTER, MAX_MESSAGE, BackendFailure, ErrorTable
from deltacloud.errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailableError,
    ConflictError,
    DeltacloudError,
    NotFoundError,
    ValidationError,
)


def translate_libcloud(exc: BaseException, table: ErrorTable) -> DeltacloudError | None:
    """The core error for a libcloud exception; None when ``exc`` is not one libcloud raises."""
    service = table.service
    code = getattr(exc, "error_code", None)
    if code is not None and isinstance(exc, BaseHTTPError):  # a structured answer read by the driver
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        return table.error(BackendFailure(exc.code, code, str(getattr(exc, "message", "") or ""), headers))
    if isinstance(exc, InvalidCredsError):
        return AuthenticationError(f"{service} refused the credentials")
    if isinstance(exc, RateLimitReachedError):
        return BackendUnavailableError(f"{service} is throttling requests; retry later",
                                       retry_after=getattr(exc, "retry_after", None) or DEFAULT_RETRY_AFTER)
    if isinstance(exc, ContainerDoesNotExistError):
        return NotFoundError(f"Bucket '{exc.container_name}' not found")
    if isinstance(exc, ObjectDoesNotExistError):
        return NotFoundError(f"Blob '{exc.object_name}' not found")
    if isinstance(exc, ContainerIsNotEmptyError):
        return ConflictError(f"Bucket '{exc.container_name}' is not empty")
    if isinstance(exc, ContainerAlreadyExistsError):
        return ConflictError(f"Bucket '{exc.container_name}' already exists")
    if isinstance(exc, InvalidContainerNameError):
        return ValidationError(f"Bucket name '{exc.container_name}' is not allowed", param="name")
    if isinstance(exc, MalformedResponseError):
        return BackendError(f"{service} answered something unreadable: {exc.value}"[:MAX_MESSAGE])
    if isinstance(exc, BaseHTTPError):
        return table.error(BackendFailure(exc.code, "", str(exc.message or ""),
                                          {k.lower(): v for k, v in (exc.headers or {}).items()}))
    if isinstance(exc, LibcloudError):
        return BackendError(f"{service} failed: {exc.value}"[:MAX_MESSAGE])
    return None
