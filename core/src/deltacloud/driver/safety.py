"""The provider-URL safety rule: a client may not make the server connect to its own networks.

A provider sent per request (``X-Deltacloud-Provider`` or ``;provider=``) that names a host
resolving to a loopback, private, link-local, multicast, reserved or unspecified address is
refused with 400, unless the operator allows those networks (``deltacloudd
--allow-private-providers``, ``DELTACLOUD_ALLOW_PRIVATE_PROVIDERS=1``). Providers the operator
configured (``-P``) and those the driver lists itself (``providers_known``) are trusted. The
refusal happens before any connection is attempted and reads the same for every refused
address, so it tells a client nothing about what listens there.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from deltacloud.errors import ValidationError

REFUSED = ("Provider refused: it names a loopback, private or link-local address, which this server does not "
           "connect to for clients (an operator may allow it with --allow-private-providers)")


def host_of(endpoint: str) -> str | None:
    """The host an endpoint (URL, ``host[:port]``, libvirt-style URI) names, or None when it names none."""
    text = endpoint.strip()
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        raise ValidationError(f"Provider '{endpoint[:100]}' is not a valid URL", param="provider") from None
    return host or None


def is_internal(address: str) -> bool:
    """Whether an IP address is one a client must not reach through us."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (IP literals resolve to themselves); empty when it does not resolve."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def check_endpoints(endpoints: Iterable[str]) -> None:
    """Refuse (400) when any endpoint's host is, or resolves to, an internal address.

    A host that does not resolve is left to the driver, whose connection will fail with 502.
    """
    for endpoint in endpoints:
        host = host_of(endpoint)
        if host is None:
            continue
        if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
            raise ValidationError(REFUSED, param="provider")
        if any(is_internal(address) for address in resolve(host)):
            raise ValidationError(REFUSED, param="provider")
