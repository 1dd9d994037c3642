"""EC2, ELB and S3 errors translated into the core's exception tree.

| backend answer | status |
|---|---|
| refused credentials (AuthFailure, InvalidClientTokenId, SignatureDoesNotMatch, InvalidAccessKeyId…) | 401 |
| not allowed (UnauthorizedOperation, AccessDenied) | 403 |
| unknown or malformed id (``*.NotFound``, ``*.Malformed``, NoSuchBucket, NoSuchKey, LoadBalancerNotFound…) | 404 |
| duplicate, in use, wrong state (``*.Duplicate``, ``*.InUse``, IncorrectState, BucketNotEmpty…) | 409 |
| invalid parameters (``Invalid*``, ``Missing*``, ValidationError…) | 400 |
| throttling (RequestLimitExceeded, Throttling, SlowDown…) or unavailable | 503 with ``Retry-After`` |
| timeouts | 504 |
| anything else, and answers that are not what was asked for | 502 with the backend's message |
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator

from libcloud.common.exceptions import BaseHTTPError, RateLimitReachedError
from libcloud.common.types import InvalidCredsError, LibcloudError, MalformedResponseError
from libcloud.storage.types import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    ObjectDoesNotExistError,
)
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import Timeout as RequestsTimeout

from deltacloud.errors import (
    AuthenticationError,
    BackendError,
    BackendTimeoutError,
    BackendUnavailableError,
    ConflictError,
    DeltacloudError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from deltacloud_driver_ec2.compat import DEFAULT_RETRY_AFTER, ApiError

log = logging.getLogger("deltacloud.ec2")

AUTH_CODES = frozenset({
    "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidAccessKeyId",
    "IncompleteSignature", "MissingAuthenticationToken", "UnrecognizedClientException", "InvalidSecurity",
    "ExpiredToken", "RequestExpired", "InvalidToken",
})
FORBIDDEN_CODES = frozenset({"UnauthorizedOperation", "AccessDenied", "OptInRequired", "Blocked",
                             "AllAccessDisabled", "AccountProblem"})
THROTTLE_CODES = frozenset({
    "RequestLimitExceeded", "Throttling", "ThrottlingException", "SlowDown", "TooManyRequestsException",
    "ServiceUnavailable", "Unavailable", "EC2ThrottledException", "RequestThrottled",
    "InsufficientInstanceCapacity",
})
NOT_FOUND_CODES = frozenset({
    "NoSuchBucket", "NoSuchKey", "NoSuchUpload", "LoadBalancerNotFound", "InvalidInstance",
    "InvalidID", "InvalidEndPoint",
})
CONFLICT_CODES = frozenset({
    "IncorrectState", "IncorrectInstanceState", "VolumeInUse", "DependencyViolation", "BucketNotEmpty",
    "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "DuplicateLoadBalancerName", "InvalidState",
    "OperationAborted", "ResourceInUse", "InvalidVolume.ZoneMismatch",
})
BAD_REQUEST_CODES = frozenset({"ValidationError", "UnsupportedOperation", "Unsupported", "MalformedXML",
                               "InvalidRequest", "EntityTooSmall", "EntityTooLarge", "InvalidArgument"})


def from_api_error(exc: ApiError) -> DeltacloudError:
    """The core error for one structured backend error."""
    code, service = exc.error_code, exc.service
    text = f"{service}: {exc}"
    if code in AUTH_CODES or (not code and exc.status == 401):
        return AuthenticationError(f"{service} refused the credentials ({code or exc.status})")
    if code in FORBIDDEN_CODES or (not code and exc.status == 403):
        return ForbiddenError(text)
    if code in THROTTLE_CODES or exc.status in (429, 503):
        return BackendUnavailableError(f"{text} (retry later)", retry_after=exc.retry_after)
    if (code in NOT_FOUND_CODES or code.endswith((".NotFound", ".Malformed", ".Unavailable"))
            or (not code and exc.status == 404)):
        return NotFoundError(text)
    if code in CONFLICT_CODES or code.endswith((".Duplicate", ".InUse")) or (not code and exc.status == 409):
        return ConflictError(text)
    if (code in BAD_REQUEST_CODES or code.startswith(("Invalid", "Missing", "Unknown"))
            or (not code and exc.status == 400)):
        return ValidationError(text)
    return BackendError(text if code or exc.message else f"{service} failed with HTTP {exc.status}")


def translate(exc: BaseException) -> DeltacloudError | None:
    """The core error for a backend exception, or None when it is not a backend failure."""
    if isinstance(exc, DeltacloudError):
        return exc
    if isinstance(exc, ApiError):
        return from_api_error(exc)
    if isinstance(exc, InvalidCredsError):
        return AuthenticationError("AWS refused the credentials")
    if isinstance(exc, RateLimitReachedError):
        return BackendUnavailableError("AWS is throttling requests (retry later)",
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
        return BackendError(f"The backend answered something unreadable: {exc.value}"[:300])
    if isinstance(exc, BaseHTTPError):
        return BackendError(f"The backend failed with HTTP {exc.code}: {exc.message}"[:300])
    if isinstance(exc, LibcloudError):
        return BackendError(f"The backend failed: {exc.value}"[:300])
    if isinstance(exc, RequestsTimeout | TimeoutError | socket.timeout):
        return BackendTimeoutError("The EC2 backend did not answer in time")
    if isinstance(exc, RequestsConnectionError | ConnectionError | OSError):
        log.warning("EC2 backend unreachable: %s", type(exc).__name__)
        return BackendError("The EC2 backend could not be reached")
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Run a block whose backend exceptions leave as core errors."""
    try:
        yield
    except DeltacloudError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from exc
