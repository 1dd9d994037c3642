"""The backend toolkit: what every driver needs to talk to its cloud, written once.

* ``HttpBackend`` (``http``): pooled ``requests`` sessions per driver, provider and credentials,
  timeouts from the server's settings, TLS always verified, reads retried with backoff, writes
  never, backend time accounted for ``Server-Timing``;
* ``ErrorTable`` (``errors``): a cloud's error codes mapped to the core's errors in one table,
  plus the common translation of transport failures (502, 504, 503 with ``Retry-After``);
* ``parse_xml``, ``parse_json``, ``text_of``... (``parsing``): defusedxml and JSON with 502s
  for bodies that are not what the cloud promised;
* ``with_retries`` and ``pause`` (``retry``): the retry policy of reads, for calls made through a
  client library rather than ``HttpBackend``;
* ``KeyedPool`` and ``pool_key`` (``pool``): the bounded pool, also for client objects that are
  not HTTP sessions (libcloud drivers);
* ``TokenCache`` (``tokens``): bearer tokens per service, endpoint and credentials, refreshed on
  expiry or refusal;
* ``measured`` (``deltacloud.driver.timing``): account time spent in a client library.

The provider-URL safety rule lives in ``deltacloud.driver.safety`` and is applied by the core.
"""

from deltacloud.driver.timing import measured
from deltacloud.driver.toolkit.errors import (
    DEFAULT_RETRY_AFTER,
    DEFAULT_STATUSES,
    BackendFailure,
    ErrorTable,
    retry_after_seconds,
    transport_error,
)
from deltacloud.driver.toolkit.http import HttpBackend
from deltacloud.driver.toolkit.parsing import child, children, expect, local_name, parse_json, parse_xml, text_of
from deltacloud.driver.toolkit.pool import POOL, KeyedPool, credentials_digest, pool_key
from deltacloud.driver.toolkit.retry import READ_ATTEMPTS, pause, with_retries
from deltacloud.driver.toolkit.tokens import TokenCache

__all__ = [
    "DEFAULT_RETRY_AFTER", "DEFAULT_STATUSES", "POOL", "READ_ATTEMPTS", "BackendFailure", "ErrorTable", "HttpBackend",
    "KeyedPool", "TokenCache", "child", "children", "credentials_digest", "expect", "local_name", "measured",
    "parse_json", "parse_xml", "pause", "pool_key", "retry_after_seconds", "text_of", "transport_error",
    "with_retries",
]
