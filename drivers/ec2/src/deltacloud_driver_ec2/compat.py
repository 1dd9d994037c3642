"""libcloud's EC2, ELB and S3 drivers made strict and tolerant at once.

Strict: an answer that is not the one asked for (an S3 bucket listing where a
``DescribeInstancesResponse`` was due, which is what a SigV2-signed request to moto gets) is
an error, never an empty list. Every error body becomes an ``ApiError`` carrying the
backend's code and message, instead of libcloud's ``BaseHTTPError('')``.

Tolerant: EC2-compatible endpoints differ from AWS in small ways (see backends.md, moto
section), so every answer is normalised before libcloud's parsers see it:

* all elements are moved into the namespace libcloud's xpaths use, whatever namespace the
  endpoint wrote (moto 5.2 drops the trailing slash; some clouds write none);
* an answer without ``<return>`` gets ``<return>true</return>`` (HTTP 200 already means
  success; moto omits the element, and libcloud would read False);
* requests are always signed with SigV4, which AWS accepts everywhere and moto needs to
  route a request to the right service.

Bodies are parsed with defusedxml: an endpoint is not trusted with entity expansion.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element, SubElement

import requests
from libcloud.common.exceptions import BaseHTTPError
from libcloud.compute.drivers.ec2 import NAMESPACE as EC2_NAMESPACE
from libcloud.compute.drivers.ec2 import EC2Connection, EC2NodeDriver, EC2Response
from libcloud.loadbalancer.drivers.elb import HOST as ELB_HOST
from libcloud.loadbalancer.drivers.elb import NS as ELB_NAMESPACE
from libcloud.loadbalancer.drivers.elb import ElasticLBDriver, ELBConnection, ELBResponse
from libcloud.storage.drivers.s3 import NAMESPACE as S3_NAMESPACE
from libcloud.storage.drivers.s3 import (
    S3RawResponse,
    S3Response,
    S3SignatureV4Connection,
    S3StorageDriver,
)

from deltacloud.driver.toolkit import DEFAULT_RETRY_AFTER, local_name, parse_xml
from deltacloud.driver.toolkit.retry import pause, with_retries
from deltacloud.errors import BackendError

_DEFAULT_XMLNS = re.compile(r'<[A-Za-z][\w.-]*\s[^>]*?\bxmlns="([^"]*)"')


class ApiError(BaseHTTPError):
    """An error answer of EC2, ELB or S3: HTTP ``status``, the service's ``error_code`` and message."""

    def __init__(self, service: str, status: int, error_code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)
        self.service = service
        self.status = status
        self.error_code = error_code

    @property
    def retry_after(self) -> int:
        """The backend's ``Retry-After`` in seconds, or a default."""
        value = (self.headers or {}).get("retry-after", "")
        return int(value) if value.isdigit() else DEFAULT_RETRY_AFTER

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}" if self.error_code else self.message


class UnexpectedAnswerError(ApiError):
    """A 2xx answer that is not what the request asks for (wrong service, wrong document)."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(service, 200, "", message)


def renamespace(root: Element, namespace: str) -> Element:
    """Move every element of ``root`` into ``namespace`` (given with or without braces)."""
    prefix = "{" + namespace.strip("{}") + "}"
    for element in root.iter():
        tag = element.tag
        if isinstance(tag, str) and not tag.startswith(prefix):
            element.tag = prefix + tag.rsplit("}", 1)[-1]
    return root


def parse_in_namespace(body: str | bytes, namespace: str, service: str) -> Element:
    """Parse an answer with every element in ``namespace``.

    The root's default namespace declaration is rewritten in the text first (the common case: moto
    drops a trailing slash), so that the walk over the tree usually finds nothing to move.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    match = _DEFAULT_XMLNS.search(text, 0, 2048)
    if match and match.group(1) != namespace:
        text = text[:match.start(1)] + namespace + text[match.end(1):]
    return renamespace(parse_xml(text, service), namespace)


def error_from_body(service: str, status: int, body: str | bytes, headers: dict[str, str] | None) -> ApiError:
    """The ``ApiError`` of an error answer: the first ``Error`` element's code and message."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    code, message = "", ""
    if body.lstrip().startswith("<"):
        try:
            root = parse_xml(body.encode("utf-8"), service)
        except BackendError:  # not XML after all: fall through to the text
            root = None
        if root is not None:
            for element in root.iter():
                if local_name(element.tag) == "Error":
                    for child in element:
                        name = local_name(child.tag)
                        if name == "Code":
                            code = (child.text or "").strip()
                        elif name == "Message":
                            message = (child.text or "").strip()
                    break
    if not message:
        message = body.strip()[:200] if body and not body.lstrip().startswith("<") else f"HTTP {status}"
    return ApiError(service, status, code, message, headers)


class UnsignedUserAgentMixin:
    """Leave ``User-Agent`` out of the SigV4 signed headers.

    AWS accepts any set of signed headers that includes ``host``; the AWS SDKs never sign the
    user agent, and endpoints that check signatures by recomputing them the SDK's way (moto)
    reject a request that did.
    """

    def pre_connect_hook(self, params: dict[str, Any], headers: dict[str, str]) -> tuple[dict, dict]:
        """Prepare the request before it is signed (libcloud hook)."""
        agent = headers.pop("User-Agent", None)
        params, headers = super().pre_connect_hook(params, headers)  # type: ignore[misc]
        if agent is not None:
            headers["User-Agent"] = agent
        return params, headers


#: Query-API actions that only read, and so may be sent again.
READ_ACTIONS = ("Describe",)


def _retry_pause(exc: Exception, attempt: int) -> float | None:
    """Seconds to wait before sending a read again after ``exc``; None when it is not worth it."""
    if isinstance(exc, requests.exceptions.Timeout):
        return None
    if isinstance(exc, ApiError) and not isinstance(exc, UnexpectedAnswerError) and exc.status >= 500:
        hint = float(exc.retry_after) if "retry-after" in {k.lower() for k in (exc.headers or {})} else 0.0
    elif isinstance(exc, requests.exceptions.ConnectionError | ConnectionError):
        hint = 0.0
    else:
        return None
    return pause(attempt, hint)


class QueryPostMixin(UnsignedUserAgentMixin):
    """Send query-API calls as signed form POSTs, remembering the action in flight.

    libcloud sends them as GETs with the parameters in the URL. A POST body has no URL length
    limit (user data can be 16 KB of base64), and it is what the AWS SDKs send, so endpoints
    that verify signatures by rebuilding an SDK-style request (moto with IAM checks on) accept
    it. The answer's document is checked against ``expected_action``.
    """

    version: str | None
    expected_action: str | None = None
    path_override: str | None = None

    def request(self, action: str, params: dict[str, Any] | None = None, data: Any = None,
                headers: dict[str, str] | None = None, method: str = "GET", **kwargs: Any) -> Any:
        """Send a query call as a signed form POST (libcloud override).

        A read (``Describe*``) that met throttling, a failing cloud (5xx) or a refused
        connection is sent again, ``READ_ATTEMPTS`` times in all, after the cloud's
        ``Retry-After`` or a short backoff (both capped); a write is sent once, whatever
        happens. A timeout is not retried: the client gets its 504 after one backend timeout.
        """
        read = str((params or {}).get("Action", "")).startswith(READ_ACTIONS)
        return with_retries(lambda: self._request_once(action, params, data, headers, method, **kwargs),
                            read=read, pause_for=_retry_pause)

    def _request_once(self, action: str, params: dict[str, Any] | None, data: Any,
                      headers: dict[str, str] | None, method: str, **kwargs: Any) -> Any:
        params = dict(params or {})
        self.expected_action = params.get("Action")
        path = self.path_override or action
        if data is None and method in ("GET", "POST") and self.expected_action:
            params.setdefault("Version", self.version)
            body = urlencode(sorted(params.items()))
            headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
            return super().request(path, params={}, data=body, headers=headers,  # type: ignore[misc]
                                   method="POST", **kwargs)
        return super().request(path, params, data, headers, method, **kwargs)  # type: ignore[misc]


# -- EC2 -------------------------------------------------------------------------------------------

class Ec2CompatResponse(EC2Response):
    """EC2 answers: checked against the action asked for, normalised, errors made structured."""

    def parse_body(self) -> Element:
        """Parse the answer, whatever its XML namespace (libcloud override)."""
        root = parse_in_namespace(self.body, EC2_NAMESPACE, "EC2")
        expected = getattr(self.connection, "expected_action", None)
        if expected and local_name(root.tag) != f"{expected}Response":
            raise UnexpectedAnswerError(
                "EC2", f"EC2 answered <{local_name(root.tag)}> to {expected}: the endpoint does not speak the EC2 "
                       "API (wrong URL, or a request routed to another service)")
        if not any(local_name(child.tag) == "return" for child in root):
            SubElement(root, f"{{{EC2_NAMESPACE}}}return").text = "true"
        return root

    def parse_error(self) -> str:
        """Turn an error answer into an exception carrying the backend's code and message."""
        raise error_from_body("EC2", int(self.status), self.body or "", self.headers)


class Ec2CompatConnection(QueryPostMixin, EC2Connection):
    """EC2 connection: form POSTs, answers checked against the action in flight."""

    responseCls = Ec2CompatResponse  # noqa: N815 (libcloud's name)


class Ec2Backend(EC2NodeDriver):
    """libcloud's EC2 driver on the compatible connection, always SigV4."""

    connectionCls = Ec2CompatConnection  # noqa: N815 (libcloud's name)

    def __init__(self, key: str, secret: str, *, region: str, host: str, port: int, secure: bool,
                 timeout: int) -> None:
        super().__init__(key, secret, secure=secure, host=host, port=port, region=region,
                         signature_version="4", timeout=timeout)


# -- ELB -------------------------------------------------------------------------------------------

class ElbCompatResponse(ELBResponse):
    """ELB answers, normalised like EC2's."""

    def parse_body(self) -> Element:
        """Parse the answer, whatever its XML namespace (libcloud override)."""
        root = parse_in_namespace(self.body, ELB_NAMESPACE, "ELB")
        expected = getattr(self.connection, "expected_action", None)
        if expected and local_name(root.tag) != f"{expected}Response":
            raise UnexpectedAnswerError("ELB", f"ELB answered <{local_name(root.tag)}> to {expected}")
        return root

    def parse_error(self) -> str:
        """Turn an error answer into an exception carrying the backend's code and message."""
        raise error_from_body("ELB", int(self.status), self.body or "", self.headers)


class ElbCompatConnection(QueryPostMixin, ELBConnection):
    """ELB connection: form POSTs, answers checked against the action in flight.

    libcloud calls ``/2012-06-01/``; AWS answers the query API on ``/`` as well, and moto
    only there, so every call goes to ``/``.
    """

    responseCls = ElbCompatResponse  # noqa: N815 (libcloud's name)
    path_override = "/"


class ElbBackend(ElasticLBDriver):
    """libcloud's ELB driver with a configurable endpoint."""

    connectionCls = ElbCompatConnection  # noqa: N815 (libcloud's name)

    def __init__(self, key: str, secret: str, *, region: str, host: str, port: int, secure: bool,
                 timeout: int) -> None:
        self.token = None
        self.region = region
        self.region_name = region
        super(ElasticLBDriver, self).__init__(key, secret, secure=secure, host=host or ELB_HOST % region,
                                              port=port, region=region, timeout=timeout)


# -- S3 --------------------------------------------------------------------------------------------

class S3CompatResponse(S3Response):
    """S3 answers: any non-2xx is an ``ApiError`` with S3's code (NoSuchBucket, BucketNotEmpty…)."""

    def success(self) -> bool:
        """Whether the answer is a success (libcloud override)."""
        return 200 <= int(self.status) <= 299

    def parse_body(self) -> Element | str:
        """Parse the answer, whatever its XML namespace (libcloud override)."""
        if not self.body:
            return self.body
        return parse_in_namespace(self.body, S3_NAMESPACE, "S3")

    def parse_error(self) -> str:
        """Turn an error answer into an exception carrying the backend's code and message."""
        raise error_from_body("S3", int(self.status), self.body or "", self.headers)


class S3CompatRawResponse(S3CompatResponse, S3RawResponse):
    """Streamed S3 answers (object downloads) with the same error handling."""


class S3CompatConnection(UnsignedUserAgentMixin, S3SignatureV4Connection):
    """S3 connection whose answers go through the compatible response classes."""

    responseCls = S3CompatResponse  # noqa: N815 (libcloud's name)
    rawResponseCls = S3CompatRawResponse  # noqa: N815 (libcloud's name)


class S3Backend(S3StorageDriver):
    """libcloud's S3 driver with a configurable endpoint (path-style requests)."""

    connectionCls = S3CompatConnection  # noqa: N815 (libcloud's name)

    def __init__(self, key: str, secret: str, *, region: str, host: str, port: int, secure: bool,
                 timeout: int) -> None:
        super().__init__(key, secret, secure=secure, host=host, port=port, region=region, timeout=timeout)
