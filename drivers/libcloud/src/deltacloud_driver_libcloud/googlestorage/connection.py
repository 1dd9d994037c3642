"""libcloud's Google Storage driver with its connection repaired: the endpoint given is the one used.

libcloud 3.9.1's ``GoogleStorageDriver`` builds its connection from the positional arguments the
base driver passes (``key, secret, secure, host, port``), while ``GoogleStorageConnection``
expects ``auth_type`` and ``credential_file`` in those places: a host and port become an auth type
and a token file name, and every request goes to ``storage.googleapis.com``. Here host and port
are taken by their place, the authentication is always the S3-interoperable HMAC mode (``GOOG1``
signatures with the access id and secret), and TLS is verified with the server's settings.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from libcloud.common.base import ConnectionUserAndKey
from libcloud.common.google import GoogleAuthType
from libcloud.storage.drivers.google_storage import GoogleStorageConnection
from libcloud.storage.drivers.google_storage import GoogleStorageDriver as _LibcloudGoogleStorage
from libcloud.storage.drivers.s3 import BaseS3StorageDriver


def endpoint_kwargs(url: str) -> dict[str, Any]:
    """libcloud's ``host``, ``port`` and ``secure`` for an http(s) URL."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    return {"host": parts.hostname, "port": parts.port or (443 if secure else 80), "secure": secure}


class HmacConnection(GoogleStorageConnection):
    """The XML API connection, HMAC-signed, to the host and port it is given."""

    def __init__(self, user_id: str, key: str, secure: bool = True, host: str | None = None,
                 port: int | None = None, *, verify: bool | str = True, **kwargs: Any) -> None:
        for unused in ("auth_type", "credential_file", "scopes"):
            kwargs.pop(unused, None)
        self.auth_type = GoogleAuthType.GCS_S3  # never guessed: guessing may probe GCE's metadata server
        self.oauth2_credential = None
        self._verify = verify
        ConnectionUserAndKey.__init__(self, user_id, key, secure, host=host, port=port, **kwargs)

    def connect(self, host: str | None = None, port: int | None = None, base_url: str | None = None,
                **kwargs: Any) -> None:
        """Connect as libcloud does, then verify TLS with the CA bundle of the server's settings."""
        super().connect(host=host, port=port, base_url=base_url, **kwargs)
        self.connection.verify = True
        self.connection.ca_cert = self._verify if isinstance(self._verify, str) else None


class HmacGoogleStorage(_LibcloudGoogleStorage):
    """libcloud's Google Storage driver on ``HmacConnection``, without the JSON API connection.

    The JSON connection only serves the ``ex_*_permissions`` calls, which this project does not
    use; libcloud would build it with the same misplaced arguments.
    """

    connectionCls = HmacConnection  # noqa: N815 (libcloud's name)

    def __init__(self, key: str, secret: str, *, verify: bool | str = True, **kwargs: Any) -> None:
        self._verify = verify
        BaseS3StorageDriver.__init__(self, key, secret, **kwargs)
        self.project = None
        self.json_connection = None

    def _ex_connection_class_kwargs(self) -> dict[str, Any]:
        return {**super()._ex_connection_class_kwargs(), "verify": self._verify}
