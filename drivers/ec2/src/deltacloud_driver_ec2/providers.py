"""Providers of the EC2 driver: an AWS region name, or the URL of an EC2-compatible endpoint.

* ``us-east-1`` (the default), ``eu-west-1``…: Amazon's own endpoints for EC2, S3 and ELB.
* ``http://127.0.0.1:5000``: one endpoint serving EC2, S3 and ELB (moto, a private cloud).
  Query parameters adjust it: ``region`` (the region requests are signed for, default
  ``us-east-1``), ``s3`` and ``elb`` (other URLs for those services), e.g.
  ``http://10.0.0.5:8773?region=eu-west-1&s3=http://10.0.0.6:9000``.

A URL cannot travel as a ``;provider=`` matrix parameter (the WSGI server decodes ``%2F``
before routing), so clients send it in ``X-Deltacloud-Provider`` or the server gets it with
``deltacloudd -P``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from libcloud.compute.drivers.ec2 import REGION_DETAILS_PARTIAL, VALID_EC2_REGIONS
from libcloud.storage.drivers.s3 import REGION_TO_HOST_MAP

from deltacloud.errors import ValidationError
from deltacloud.models import Provider

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where one service answers: host, port and whether it speaks TLS."""

    host: str
    port: int
    secure: bool

    @property
    def url(self) -> str:
        """The endpoint as a URL."""
        scheme = "https" if self.secure else "http"
        default = 443 if self.secure else 80
        return f"{scheme}://{self.host}" + ("" if self.port == default else f":{self.port}")


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed provider: the region requests are signed for and the endpoint of each service.

    ``custom`` is true for EC2-compatible endpoints, whose answers go through the
    compatibility layer (namespace, envelope and void-answer differences).
    """

    id: str
    region: str
    ec2: Endpoint
    s3: Endpoint
    elb: Endpoint
    custom: bool


def _endpoint(url: str, what: str) -> Endpoint:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"EC2 provider: {what} '{url}' is not an http(s) URL", param="provider")
    secure = parts.scheme == "https"
    try:
        port = parts.port or (443 if secure else 80)
    except ValueError:
        raise ValidationError(f"EC2 provider: {what} '{url}' has a bad port", param="provider") from None
    return Endpoint(parts.hostname, port, secure)


def _region_target(region: str) -> Target:
    details = REGION_DETAILS_PARTIAL[region]
    s3_host = REGION_TO_HOST_MAP.get(region, f"s3.{region}.amazonaws.com")
    return Target(
        id=region,
        region=region,
        ec2=Endpoint(details["endpoint"], 443, True),
        s3=Endpoint(s3_host, 443, True),
        elb=Endpoint(f"elasticloadbalancing.{region}.amazonaws.com", 443, True),
        custom=False,
    )


@functools.lru_cache(maxsize=256)
def parse_provider(provider: str | None) -> Target:
    """The ``Target`` a provider string names; ``ValidationError`` (400) for anything else."""
    text = (provider or DEFAULT_REGION).strip()
    if text in VALID_EC2_REGIONS:
        return _region_target(text)
    if "://" not in text:
        raise ValidationError(
            f"Unknown EC2 provider '{text[:100]}': give an AWS region ({', '.join(regions()[:4])}, …) "
            "or the URL of an EC2-compatible endpoint", param="provider")
    base, _, query = text.partition("?")
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    unknown = sorted(set(options) - {"region", "s3", "elb"})
    if unknown:
        raise ValidationError(f"EC2 provider: unknown option(s) {', '.join(unknown)}; known: region, s3, elb",
                              param="provider")
    region = options.get("region", DEFAULT_REGION)
    if region not in VALID_EC2_REGIONS:
        raise ValidationError(f"EC2 provider: unknown region '{region[:40]}'", param="provider")
    ec2 = _endpoint(base.rstrip("/"), "endpoint")
    s3 = _endpoint(options["s3"], "s3 endpoint") if "s3" in options else ec2
    elb = _endpoint(options["elb"], "elb endpoint") if "elb" in options else ec2
    return Target(text, region, ec2, s3, elb, custom=True)


def regions() -> list[str]:
    """The AWS regions this driver knows, sorted."""
    return sorted(VALID_EC2_REGIONS)


def known_providers() -> tuple[Provider, ...]:
    """Every AWS region as a provider, with its EC2, S3 and ELB endpoints."""
    out = []
    for region in regions():
        target = _region_target(region)
        out.append(Provider(region, (("ec2", target.ec2.url), ("s3", target.s3.url), ("elb", target.elb.url))))
    return tuple(out)
