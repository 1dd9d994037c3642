"""The conversation with one engine: authentication (SSO token or HTTP Basic), faults, XML.

oVirt 4 wants the password once: ``POST <prefix>/sso/oauth/token`` answers a bearer token
(JSON ``access_token`` and ``exp``, milliseconds since the epoch) that every API call then
carries. Tokens live in the toolkit's ``TokenCache``, keyed by engine and a digest of the
credentials, so a token serves only the user it was issued to; when the engine refuses a
cached token (it expired early, the engine restarted) it is dropped and the call is made once
more with a fresh one. RHEV-M 3.x (a v3 provider URL) gets HTTP Basic on every call instead.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import requests

from deltacloud.driver.toolkit import ErrorTable, HttpBackend, parse_json, parse_xml, pool_key
from deltacloud.driver.toolkit.tokens import TokenCache
from deltacloud.errors import AuthenticationError, BackendError, ConflictError, DeltacloudError
from deltacloud_driver_rhevm.provider import Location

if TYPE_CHECKING:
    from deltacloud.driver import Driver

SERVICE = "oVirt engine"
#: The tokens of every user of every engine, for the whole process.
TOKENS = TokenCache()

#: Fault details (oVirt's ``[Cannot … .]`` messages) that mean a conflict with the object's state.
_CONFLICTS = (
    (re.compile(r"is being used|in use", re.IGNORECASE), "InUse"),
    (re.compile(r"^\[?Cannot .*(VM is|must be|status|locked|running|already)", re.IGNORECASE), "WrongStatus"),
)


def _fault(response: requests.Response) -> ET.Element | None:
    if "xml" not in response.headers.get("Content-Type", ""):
        return None
    try:
        root = parse_xml(response.content, SERVICE)
    except DeltacloudError:
        return None
    return root if root.tag == "fault" else None


def fault_code(response: requests.Response) -> str | None:
    """A code for the ErrorTable from a ``<fault>``: ``InUse``/``WrongStatus`` for state conflicts."""
    fault = _fault(response)
    detail = (fault.findtext("detail") or "") if fault is not None else ""
    for pattern, code in _CONFLICTS:
        if pattern.search(detail):
            return code
    return None


def fault_message(response: requests.Response) -> str | None:
    """The fault's detail (else its reason): the engine's own words, which carry no request data."""
    fault = _fault(response)
    if fault is None:
        return None
    return (fault.findtext("detail") or fault.findtext("reason") or "").strip().strip("[]") or None


ERRORS = ErrorTable(service=SERVICE, codes={"InUse": ConflictError, "WrongStatus": ConflictError},
                    code_of=fault_code, message_of=fault_message)


class EngineClient:
    """The API of the engine at ``location`` for one request of one driver."""

    def __init__(self, driver: Driver, location: Location) -> None:
        self.location = location
        credentials = driver.credentials
        v3 = location.version < 4
        self._backend = HttpBackend(driver, location.api_url, errors=ERRORS,
                                    auth=(credentials.user, credentials.password) if v3 else None,
                                    headers={"Accept": "application/xml", **({} if v3 else {"Version": "4"})})
        self._driver = driver
        self._token_key = pool_key(SERVICE, location.api_url, credentials)

    # -- authentication ------------------------------------------------------------------------

    def _fetch_token(self) -> tuple[str, float | None]:
        credentials = self._driver.credentials
        form = {"grant_type": "password", "scope": "ovirt-app-api", "username": credentials.user,
                "password": credentials.password}
        response = self._backend.request("POST", self.location.sso_url, data=form, ok=(400, 401, 403, 404),
                                         headers={"Accept": "application/json"})
        if response.status_code == 404:
            raise BackendError(f"{SERVICE} has no SSO at {self.location.sso_url}; a RHEV-M 3.x engine takes "
                               "its /api URL (version 3, HTTP Basic)")
        answer = parse_json(response.content, SERVICE)
        if not isinstance(answer, dict):
            raise BackendError(f"{SERVICE} SSO answered an unexpected shape")
        if response.status_code >= 400 or "access_token" not in answer:
            if response.status_code in (400, 401, 403) or answer.get("error_code") in ("access_denied",
                                                                                       "invalid_grant"):
                raise AuthenticationError(f"{SERVICE} refused the credentials")
            raise BackendError(f"{SERVICE} SSO gave no token")
        lifetime = None
        expires = str(answer.get("exp") or "")
        if expires.isdigit():
            lifetime = int(expires) / 1000 - time.time()
        return str(answer["access_token"]), lifetime

    # -- calls -----------------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One API call, authenticated; a refused cached token is replaced once."""
        if self.location.version < 4:
            return self._backend.request(method, path, **kwargs)
        for attempt in (1, 2):
            token = TOKENS.get(self._token_key, self._fetch_token)
            headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {token}"}
            response = self._backend.request(method, path, headers=headers, ok=(401,), **kwargs)
            if response.status_code != 401:
                return response
            TOKENS.invalidate(self._token_key, token)
            if attempt == 2:
                raise ERRORS.error_for(response)
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, path: str, **params: str) -> ET.Element:
        """GET ``path`` as XML."""
        return parse_xml(self.request("GET", path, params=params or None).content, SERVICE)

    def send(self, method: str, path: str, body: bytes | None = None) -> ET.Element | None:
        """POST/PUT/DELETE with an XML body; the answer's XML, or None when it has none."""
        headers = {"Content-Type": "application/xml"} if body is not None else {}
        response = self.request(method, path, data=body, headers=headers)
        if not response.content.strip():
            return None
        return parse_xml(response.content, SERVICE)
