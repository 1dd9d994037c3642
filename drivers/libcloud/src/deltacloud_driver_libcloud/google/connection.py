"""libcloud's GCE driver with its two endpoints configurable and no token cache on disk.

libcloud's Google connection fetches the OAuth2 token from ``accounts.google.com`` and caches it
in ``~/.google_libcloud_auth.PROJECT``, a file shared by every user of a project. Here the token
comes from the operator's token URL (service-account JWT flow, signed with the caller's key)
and lives only in the pooled connection object, keyed by the caller's credentials.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from libcloud.common.google import (
    GoogleAuthError,
    GoogleBaseConnection,
    GoogleBaseError,
    GoogleOAuth2Credential,
    GoogleServiceAcctAuthConnection,
)
from libcloud.compute.drivers.gce import API_VERSION, GCEConnection, GCENodeDriver

#: The scope asked for: Compute Engine only.
SCOPES = ["https://www.googleapis.com/auth/compute"]
#: Google's defaults for the two endpoints (driver options ``endpoint`` and ``token_url``).
DEFAULT_ENDPOINT = "https://www.googleapis.com"
DEFAULT_TOKEN_URL = "https://accounts.google.com/o/oauth2/token"


def endpoint_kwargs(url: str) -> dict[str, Any]:
    """libcloud's ``host``, ``port`` and ``secure`` for an http(s) URL."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    return {"host": parts.hostname, "port": parts.port or (443 if secure else 80), "secure": secure}


class _TokenConnection(GoogleServiceAcctAuthConnection):
    """The JWT-bearer token request, sent to the configured token URL's path."""

    token_path = "/o/oauth2/token"

    def morph_action_hook(self, action: str) -> str:
        """Every request of this connection is the token request."""
        return self.token_path


class _Credential(GoogleOAuth2Credential):
    """A service account's token, fetched from ``token_url`` and kept in memory only."""

    def __init__(self, user_id: str, key: str, token_url: str, timeout: float | None) -> None:
        self.auth_type, self.user_id, self.key, self.scopes, self.credential_file = "SA", user_id, key, SCOPES, ""
        self.oauth2_conn = _TokenConnection(user_id, key, SCOPES, timeout=timeout, **endpoint_kwargs(token_url))
        self.oauth2_conn.token_path = urlsplit(token_url).path or "/o/oauth2/token"
        try:
            self.token = self.oauth2_conn.get_new_token()
        except GoogleBaseError as exc:  # the grant refused (invalid_grant, invalid_client): not our request's fault
            raise GoogleAuthError(f"the token endpoint refused the grant ({exc.code})") from None

    def _get_token_from_file(self) -> None:
        """Never read from disk."""
        return None

    def _write_token_to_file(self) -> None:
        """Never written to disk."""


class _Connection(GCEConnection):
    """GCE's connection with the token from ``_Credential``."""

    def __init__(self, user_id: str, key: str, secure: bool, host: str | None = None, port: int | None = None, *,
                 project: str | None = None, token_url: str = DEFAULT_TOKEN_URL, **kwargs: Any) -> None:
        # libcloud's driver hands host and port over positionally, where GCEConnection expects
        # auth_type and credential_file: taken here by their place, those two (and the scopes) dropped
        for unused in ("auth_type", "credential_file", "scopes"):
            kwargs.pop(unused, None)
        super(GoogleBaseConnection, self).__init__(user_id, key, secure=secure, host=host, port=port, **kwargs)
        self.oauth2_credential = _Credential(user_id, key, token_url, kwargs.get("timeout"))
        self.request_path = f"/compute/{API_VERSION}/projects/{project}"
        self.gce_params = None


class GCE(GCENodeDriver):
    """libcloud's GCE driver on ``_Connection`` (``token_url`` passed to it)."""

    connectionCls = _Connection  # noqa: N815 (libcloud's name)

    def __init__(self, user_id: str, key: str, *, project: str, token_url: str, **kwargs: Any) -> None:
        self._token_url = token_url
        super().__init__(user_id, key, project=project, auth_type="SA", scopes=SCOPES, **kwargs)

    def _ex_connection_class_kwargs(self) -> dict[str, Any]:
        return {**super()._ex_connection_class_kwargs(), "token_url": self._token_url}
