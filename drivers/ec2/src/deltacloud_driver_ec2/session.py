"""What every part of the EC2 driver shares: the provider, pooled libcloud drivers, checked calls.

``Ec2Session`` is the base of the driver's mixins. It parses the provider once per request,
checks a libcloud driver object out of the toolkit's pool for the duration of one backend
exchange, and turns every backend exception into a core error on the way out through the
toolkit's error table (``errortable``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element

from libcloud.compute.drivers.ec2 import NAMESPACE

from deltacloud.driver import Driver, timing
from deltacloud.driver.toolkit import POOL, local_name, pool_key
from deltacloud.errors import BackendError, DeltacloudError
from deltacloud.models import Credentials
from deltacloud_driver_ec2.compat import Ec2Backend, ElbBackend, S3Backend
from deltacloud_driver_ec2.errortable import ERRORS, for_service
from deltacloud_driver_ec2.providers import Target, parse_provider

_BACKENDS = {"ec2": Ec2Backend, "elb": ElbBackend, "s3": S3Backend}


def q(name: str) -> str:
    """An element name in libcloud's EC2 namespace (answers are normalised into it)."""
    return f"{{{NAMESPACE}}}{name}"


def text(element: Element | None, path: str, default: str = "") -> str:
    """The stripped text at ``path`` (slash-separated local names) under ``element``."""
    if element is None:
        return default
    found = element.find("/".join(q(part) for part in path.split("/")))
    if found is None or found.text is None:
        return default
    return found.text.strip()


def filters_params(filters: Mapping[str, str | list[str]]) -> dict[str, str]:
    """EC2 ``Filter.N.Name`` / ``Filter.N.Value.M`` parameters (1-based, as EC2 wants)."""
    params: dict[str, str] = {}
    for n, (name, values) in enumerate(filters.items(), start=1):
        params[f"Filter.{n}.Name"] = name
        for m, value in enumerate([values] if isinstance(values, str) else values, start=1):
            params[f"Filter.{n}.Value.{m}"] = value
    return params


class Ec2Session(Driver):
    """Base of the EC2 driver: provider, pooled backends, checked EC2 calls."""

    def __init__(self, credentials: Credentials | None, provider: str | None = None) -> None:
        super().__init__(credentials, provider)
        self.target: Target = parse_provider(self.provider)

    @classmethod
    def provider_endpoints(cls, provider: str) -> Sequence[str]:
        """The EC2, ELB and S3 endpoints a provider names (none for an AWS region)."""
        if "://" not in provider:
            return []
        target = parse_provider(provider)
        return [target.ec2.url, target.elb.url, target.s3.url]

    @classmethod
    def translate_error(cls, error: Exception) -> DeltacloudError | None:
        """libcloud and backend exceptions that escaped a ``translating`` block, through the EC2 table."""
        service = getattr(error, "service", None)
        return (for_service(service) if service in ("EC2", "ELB", "S3") else ERRORS).translate(error)

    def new_backend(self, service: str) -> Any:
        """A new libcloud driver for ``service`` (ec2, elb, s3) with this request's credentials and timeout."""
        creds, target = self.credentials, self.target
        endpoint = getattr(target, service)
        return _BACKENDS[service](creds.user, creds.password, region=target.region, host=endpoint.host,
                                  port=endpoint.port, secure=endpoint.secure,
                                  timeout=type(self).settings.read_timeout)

    @contextlib.contextmanager
    def backend(self, service: str) -> Iterator[Any]:
        """A pooled libcloud driver for ``service`` (ec2, elb, s3) used by this request alone.

        Backend exceptions raised inside the block leave it as core errors; its time counts as
        backend time.
        """
        key = pool_key(service, self.target.id, self.credentials)
        with self.translating(), timing.measured(), POOL.checkout(key, lambda: self.new_backend(service)) as obj:
            yield obj

    def ec2_call(self, params: dict[str, str]) -> Element:
        """One EC2 query-API call; its (normalised) answer document."""
        with self.backend("ec2") as ec2:
            return ec2.connection.request("/", params=params).object

    def ec2_items(self, params: dict[str, str], set_name: str) -> list[Element]:
        """The ``<set_name><item>`` elements of an EC2 answer.

        An answer without ``set_name`` is a parse mismatch, reported as 502, never an empty list.
        """
        root = self.ec2_call(params)
        return items_of(root, set_name, params.get("Action", "?"))


def items_of(root: Element, set_name: str, action: str) -> list[Element]:
    """The ``item`` children of ``root``'s ``set_name`` element; ``BackendError`` when it is missing."""
    container = root.find(q(set_name))
    if container is None:
        raise BackendError(f"EC2 answered {action} without <{set_name}> (got <{local_name(root.tag)}> with "
                           f"{', '.join(sorted({local_name(c.tag) for c in root})) or 'nothing'}): "
                           "the endpoint's answer does not match the EC2 API")
    return container.findall(q("item"))
