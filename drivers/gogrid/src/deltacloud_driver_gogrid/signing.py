"""GoGrid's request signature (API v1.9), applied as a ``requests`` auth to every call.

Each call carries ``api_key``, ``v=1.9``, ``format=json`` and ``sig``: the lowercase hex MD5 of
API key + shared secret + the Unix time in seconds. GoGrid accepts a signature for a few
minutes around its own clock, so the machine running the server needs a set clock. The signature
is computed when the request is prepared, so a retried read carries a fresh one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

API_VERSION = "1.9"


def signature(api_key: str, shared_secret: str, when: float) -> str:
    """The hex MD5 of ``api_key + shared_secret + str(int(when))``."""
    return hashlib.md5(f"{api_key}{shared_secret}{int(when)}".encode()).hexdigest()  # GoGrid v1.9 signs with MD5


class GoGridSignature(requests.auth.AuthBase):
    """Adds the authentication parameters to a request's query string.

    ``clock`` returns the Unix time (injectable for tests). The secret never appears in the
    request: only the key and the digest do.
    """

    def __init__(self, api_key: str, shared_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._api_key, self._secret, self._clock = api_key, shared_secret, clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Append ``api_key``, ``v``, ``format`` and ``sig`` to the URL."""
        auth = urlencode({"api_key": self._api_key, "v": API_VERSION, "format": "json",
                          "sig": signature(self._api_key, self._secret, self._clock())})
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(parts._replace(query=f"{parts.query}&{auth}" if parts.query else auth))
        return request

    def __repr__(self) -> str:
        return "GoGridSignature(api_key=..., shared_secret=...)"
