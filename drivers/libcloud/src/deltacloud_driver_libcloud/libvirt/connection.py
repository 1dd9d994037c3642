"""Which libvirt URIs a request may use, whose credentials it needs, and one connection per URI.

**URIs.** The provider is a libvirt URI (``test:///default``, ``qemu:///system``,
``qemu+tcp://host/system``…). A libvirt URI names a hypervisor the *server* can reach with its
own rights, and the test driver's ``test:///PATH`` reads a file, so a client may only name a
URI the operator allowed: the driver option ``uris`` (comma-separated, default
``test:///default``).

**Credentials.** Where libvirt itself authenticates users (``+tcp`` URIs, SASL), the HTTP Basic
user and password go to libvirt. Everywhere else libvirt trusts the server process, so the
server checks the Basic credentials against the driver options ``user`` and ``password``;
libvirt's test hypervisor (``test://``) accepts ``test``/``test`` unless those are set, and any
other URI without them refuses every request.

**Connections.** libvirt connections are thread-safe, and a test hypervisor opened from a file
keeps its state in its connection, so the process keeps *one* libcloud driver per URI (per
URI and credentials where libvirt authenticates), reopened when it has died.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import threading
from collections.abc import Iterator
from typing import Any

from deltacloud.driver import DriverSettings
from deltacloud.errors import (
    AuthenticationError,
    BackendError,
    BackendTimeoutError,
    ConflictError,
    DeltacloudError,
    NotFoundError,
    NotSupportedError,
    ValidationError,
)
from deltacloud.models import Credentials

try:  # the binding builds against Debian's libvirt-dev; without it the driver answers 501
    import libvirt
except ImportError:  # pragma: no cover - exercised only where the binding is missing
    libvirt = None

#: The URIs clients may choose when the operator set none.
DEFAULT_URIS = ("test:///default",)
#: What libvirt's test hypervisor accepts unless the operator set ``user`` and ``password``.
TEST_CREDENTIALS = ("test", "test")


def allowed_uris(settings: DriverSettings | None) -> tuple[str, ...]:
    """The URIs the operator allows: the driver option ``uris``, and the operator's own ``-P``."""
    option = settings.option("uris") if settings else None
    uris = tuple(uri.strip() for uri in option.split(",") if uri.strip()) if option else DEFAULT_URIS
    operator = settings.provider if settings else None
    return (*uris, operator) if operator and operator not in uris else uris


def check_uri(uri: str, settings: DriverSettings | None) -> str:
    """``uri`` when the operator allows it; ``ValidationError`` (400) otherwise."""
    if uri not in allowed_uris(settings):
        raise ValidationError(f"libvirt URI '{uri}' is not one this server offers; the operator lists them "
                              "in the driver option 'uris'", param="provider")
    return uri


def libvirt_authenticates(uri: str) -> bool:
    """Whether libvirt checks the user and password itself (SASL over ``+tcp``)."""
    return "+tcp" in uri.split(":", 1)[0]


def check_credentials(uri: str, credentials: Credentials, settings: DriverSettings | None) -> None:
    """Refuse (401) credentials the server checks itself and that do not match the operator's."""
    if libvirt_authenticates(uri):
        return
    user = settings.option("user") if settings else None
    password = settings.option("password") if settings else None
    if user is None or password is None:
        if not uri.startswith("test:"):
            raise AuthenticationError("This libvirt URI needs the credentials the operator sets "
                                      "(driver options 'user' and 'password')")
        user, password = TEST_CREDENTIALS
    good_user = hmac.compare_digest(credentials.user.encode(), user.encode())
    good_password = hmac.compare_digest(credentials.password.encode(), password.encode())
    if not (good_user and good_password):
        raise AuthenticationError("Unknown user or wrong password")


class _Connections:
    """One libcloud libvirt driver per key, shared by every request of the process."""

    def __init__(self) -> None:
        self._drivers: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, uri: str, credentials: Credentials) -> Any:
        """The driver of ``uri``, opened on first use (and again after the connection died)."""
        if libvirt is None:
            raise NotSupportedError("The libvirt Python binding is not installed on this server "
                                    "(pip install libvirt-python, which needs libvirt's headers)")
        from libcloud.compute.drivers.libvirt_driver import LibvirtNodeDriver

        remote = libvirt_authenticates(uri)
        digest = ""
        if remote:
            digest = hashlib.sha256(f"{credentials.user}\0{credentials.password}".encode()).hexdigest()
        key = (uri, digest)
        with self._lock:
            driver = self._drivers.get(key)
            if driver is not None and _alive(driver):
                return driver
            with translated():
                if remote:
                    driver = LibvirtNodeDriver(uri, credentials.user, credentials.password)
                else:
                    driver = LibvirtNodeDriver(uri)
            self._drivers[key] = driver
            return driver

    def clear(self) -> None:
        """Close and forget every connection (tests)."""
        with self._lock:
            for driver in self._drivers.values():
                with contextlib.suppress(Exception):
                    driver.connection.close()
            self._drivers.clear()


def _alive(driver: Any) -> bool:
    try:
        return bool(driver.connection.isAlive())
    except Exception:
        return False


#: The process-wide connections.
CONNECTIONS = _Connections()


def _codes(*names: str) -> frozenset[int]:
    if libvirt is None:
        return frozenset()
    return frozenset(getattr(libvirt, name) for name in names if hasattr(libvirt, name))


_NOT_FOUND = _codes("VIR_ERR_NO_DOMAIN", "VIR_ERR_NO_STORAGE_VOL", "VIR_ERR_NO_STORAGE_POOL", "VIR_ERR_NO_NETWORK")
_CONFLICT = _codes("VIR_ERR_OPERATION_INVALID", "VIR_ERR_DOM_EXIST", "VIR_ERR_STORAGE_VOL_EXIST")
_AUTH = _codes("VIR_ERR_AUTH_FAILED", "VIR_ERR_AUTH_CANCELLED", "VIR_ERR_AUTH_UNAVAILABLE")
_INVALID = _codes("VIR_ERR_XML_ERROR", "VIR_ERR_INVALID_ARG", "VIR_ERR_CONFIG_UNSUPPORTED")
_TIMEOUT = _codes("VIR_ERR_OPERATION_TIMEOUT", "VIR_ERR_AGENT_UNRESPONSIVE")
_UNSUPPORTED = _codes("VIR_ERR_NO_SUPPORT", "VIR_ERR_OPERATION_UNSUPPORTED")


def translate(error: BaseException) -> DeltacloudError | None:
    """The core error for a libvirt (or libcloud) exception; None for anything else."""
    if libvirt is not None and isinstance(error, libvirt.libvirtError):
        code = error.get_error_code()
        message = f"libvirt: {error.get_error_message() or 'error ' + str(code)}"
        if code in _NOT_FOUND:
            return NotFoundError(message)
        if code in _CONFLICT:
            return ConflictError(message)
        if code in _AUTH:
            return AuthenticationError("libvirt refused the credentials")
        if code in _INVALID:
            return ValidationError(message)
        if code in _TIMEOUT:
            return BackendTimeoutError(message)
        if code in _UNSUPPORTED:
            return NotSupportedError(message)
        return BackendError(message)
    if isinstance(error, RuntimeError) and "libvirt" in str(error).lower():
        return BackendError(f"libvirt: {error}")
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """libvirt exceptions raised in the block leave it as core errors."""
    try:
        yield
    except DeltacloudError:
        raise
    except Exception as exc:
        mapped = translate(exc)
        if mapped is None:
            raise
        raise mapped from exc
