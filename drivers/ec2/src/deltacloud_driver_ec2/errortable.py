"""EC2's, ELB's and S3's own error codes, in the one table the toolkit reads (``ErrorTable``).

| the cloud's code | status |
|---|---|
| refused credentials (AuthFailure, InvalidClientTokenId, SignatureDoesNotMatch, InvalidAccessKeyId…) | 401 |
| not allowed (UnauthorizedOperation, AccessDenied…) | 403 |
| unknown or malformed id (``*.NotFound``, ``*.Malformed``, NoSuchBucket, NoSuchKey, LoadBalancerNotFound…) | 404 |
| duplicate, in use, wrong state (``*.Duplicate``, ``*.InUse``, IncorrectState, BucketNotEmpty…) | 409 |
| throttling or unavailable (RequestLimitExceeded, Throttling, SlowDown…) | 503 with ``Retry-After`` |
| invalid parameters (``Invalid*``, ``Missing*``, ValidationError…) | 400 |

Everything else (transport failures, answers that are not what was asked for) is the toolkit's.
"""

from __future__ import annotations

from deltacloud.driver.toolkit import ErrorTable
from deltacloud.errors import (
    AuthenticationError,
    BackendUnavailableError,
    ConflictError,
    DeltacloudError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)

_CODES: dict[type[DeltacloudError], tuple[str, ...]] = {
    AuthenticationError: (
        "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidAccessKeyId", "IncompleteSignature",
        "MissingAuthenticationToken", "UnrecognizedClientException", "InvalidSecurity", "ExpiredToken",
        "RequestExpired", "InvalidToken"),
    ForbiddenError: ("UnauthorizedOperation", "AccessDenied", "OptInRequired", "Blocked", "AllAccessDisabled",
                     "AccountProblem"),
    BackendUnavailableError: (
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "SlowDown", "TooManyRequestsException",
        "ServiceUnavailable", "Unavailable", "EC2ThrottledException", "RequestThrottled",
        "InsufficientInstanceCapacity"),
    NotFoundError: ("NoSuchBucket", "NoSuchKey", "NoSuchUpload", "LoadBalancerNotFound", "InvalidInstance",
                    "InvalidID", "InvalidEndPoint", "*.NotFound", "*.Malformed", "*.Unavailable"),
    ConflictError: ("IncorrectState", "IncorrectInstanceState", "VolumeInUse", "DependencyViolation",
                    "BucketNotEmpty", "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "DuplicateLoadBalancerName",
                    "InvalidState", "OperationAborted", "ResourceInUse", "InvalidVolume.ZoneMismatch",
                    "*.Duplicate", "*.InUse"),
    ValidationError: ("ValidationError", "UnsupportedOperation", "Unsupported", "MalformedXML", "InvalidRequest",
                      "EntityTooSmall", "EntityTooLarge", "InvalidArgument", "Invalid*", "Missing*", "Unknown*"),
}

#: The table of the three services; messages name the service ("EC2", "ELB", "S3") through ``for_service``.
ERRORS = ErrorTable("EC2", codes={code: cls for cls, codes in _CODES.items() for code in codes})


def for_service(service: str) -> ErrorTable:
    """The same table, naming ``service`` in its messages."""
    return _TABLES[service]


_TABLES = {name: ErrorTable(name, codes=ERRORS.codes) for name in ("EC2", "ELB", "S3")}
