"""``HttpBackend``: a driver's HTTP conversation with its cloud, on pooled ``requests`` sessions.

One is made per request by the driver (cheap); the ``requests.Session`` behind it comes from
the process-wide pool, keyed by driver, provider, credentials and base URL, so connections are
reused by the same user and never shared across credentials. Every exchange:

* has the connect and read timeouts of the driver's settings (``deltacloudd --connect-timeout``,
  ``--backend-timeout``);
* verifies TLS (the settings' CA bundle, else the system's trust store); never disabled;
* is retried with backoff when it is a read (GET, HEAD) that failed to connect or got
  502/503/504, and never when it is a write or timed out (``retry``);
* has its time accounted for ``Server-Timing``;
* turns any failure into a core error: non-2xx answers through the driver's ``ErrorTable``,
  transport failures into 502/504; the request's password, should the cloud echo it, is masked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

import requests

from deltacloud.driver import timing
from deltacloud.driver.toolkit.errors import ErrorTable, retry_after_seconds, transport_error
from deltacloud.driver.toolkit.parsing import parse_json, parse_xml
from deltacloud.driver.toolkit.pool import POOL, KeyedPool, pool_key
from deltacloud.driver.toolkit.retry import READ_ATTEMPTS, RETRIED_STATUSES, pause
from deltacloud.errors import BackendError, DeltacloudError

if TYPE_CHECKING:
    from deltacloud.driver.base import Driver

#: Methods that read and may be repeated safely.
RETRIED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _new_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # proxies and netrc of the server's environment must not leak into backend calls
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HttpBackend:
    """The HTTP endpoint of one cloud as one request of one driver sees it."""

    def __init__(self, driver: Driver, base_url: str, *, errors: ErrorTable, auth: Any = None,
                 headers: Mapping[str, str] | None = None, pool: KeyedPool = POOL) -> None:
        self.driver = driver
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.errors = errors
        self.auth = auth
        self.headers = dict(headers or {})
        self.settings = type(driver).settings
        self._pool = pool
        self._key = pool_key(f"{type(driver).__module__}.{type(driver).__qualname__}", driver.provider,
                             driver.optional_credentials, self.base_url)

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (relative to the base URL unless it is absolute itself)."""
        return urljoin(self.base_url, path.lstrip("/")) if "://" not in path else path

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, data: Any = None,
                json: Any = None, headers: Mapping[str, str] | None = None, stream: bool = False,
                ok: tuple[int, ...] = ()) -> requests.Response:
        """One exchange; the ``requests.Response`` of a 2xx answer (or a status in ``ok``), else a core error.

        Redirects are not followed: a 3xx not in ``ok`` is a 502.
        """
        method = method.upper()
        attempts = READ_ATTEMPTS if method in RETRIED_METHODS else 1
        merged = {**self.headers, **(headers or {})}
        url = self.url(path)
        for attempt in range(1, attempts + 1):
            response = None
            try:
                response = self._send(method, url, params, data, json, merged, stream)
            except requests.RequestException as exc:
                retried = not isinstance(exc, requests.exceptions.SSLError | requests.exceptions.Timeout)
                if attempt < attempts and retried:
                    time.sleep(pause(attempt))
                    continue
                error = transport_error(exc, self.errors.service)
                if error is None:
                    raise
                raise error from exc
            if response.status_code < 300 or response.status_code in ok:
                return response
            if response.status_code < 400:  # redirects are never followed (they could point anywhere)
                response.close()
                raise BackendError(f"{self.errors.service} redirected (HTTP {response.status_code}) instead of "
                                   "answering")
            if attempt < attempts and response.status_code in RETRIED_STATUSES:
                wait = retry_after_seconds(response.headers.get("Retry-After"), 0)
                response.close()
                time.sleep(pause(attempt, wait))
                continue
            try:
                error = self.errors.error_for(response)
            finally:
                response.close()
            raise self._secret_free(error)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    def _send(self, method: str, url: str, params: Any, data: Any, json: Any, headers: dict[str, str],
              stream: bool) -> requests.Response:
        settings = self.settings
        started = time.perf_counter()
        try:
            with self._pool.checkout(self._key, _new_session) as session:
                response = session.request(method, url, params=params, data=data, json=json, headers=headers,
                                           auth=self.auth, timeout=(settings.connect_timeout, settings.read_timeout),
                                           verify=settings.verify, stream=stream, allow_redirects=False)
                if not stream:
                    _ = response.content  # read inside the checkout: the connection goes back clean
                return response
        finally:
            timing.add(time.perf_counter() - started)

    def xml(self, method: str, path: str, **kwargs: Any) -> Element:
        """``request``, then the answer parsed as XML (defusedxml); 502 when it is not XML."""
        content = self.request(method, path, **kwargs).content
        try:
            return parse_xml(content, self.errors.service)
        except DeltacloudError as error:
            raise self._secret_free(error) from None

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """``request``, then the answer parsed as JSON; 502 when it is not JSON."""
        content = self.request(method, path, **kwargs).content
        try:
            return parse_json(content, self.errors.service)
        except DeltacloudError as error:
            raise self._secret_free(error) from None

    def _secret_free(self, error: DeltacloudError) -> DeltacloudError:
        """``error`` without the request's password, which a cloud may echo in what it answers."""
        credentials = self.driver.optional_credentials
        secret = credentials.password if credentials is not None else ""
        if secret and secret in error.message:
            error.message = error.message.replace(secret, "***")
            error.args = (error.message,)
        return error
