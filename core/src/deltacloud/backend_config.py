"""``deltacloudd``'s backend settings: driver options, timeouts, CA bundle, private providers.

They come from flags, the environment and an optional TOML file (``--config FILE``), flags
winning over the file:

```toml
[backend]
timeout = 20                    # --backend-timeout: seconds a backend may take to answer
connect_timeout = 5             # --connect-timeout
ca_bundle = "/etc/ssl/my-ca.pem"        # --ca-bundle
allow_private_providers = false # --allow-private-providers, DELTACLOUD_ALLOW_PRIVATE_PROVIDERS=1

[drivers.ec2]                   # --driver-option ec2.KEY=VALUE
KEY = "VALUE"
```
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any

_TRUE = frozenset({"1", "true", "yes", "on"})


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The backend flags of ``deltacloudd``."""
    add = parser.add_argument
    add("--config", metavar="FILE", default=os.environ.get("DELTACLOUD_CONFIG") or None,
        help="TOML file of backend settings and driver options (env DELTACLOUD_CONFIG); flags win over it")
    add("--driver-option", action="append", default=[], metavar="DRIVER.KEY=VALUE", dest="driver_options",
        help="an option for one driver, e.g. ec2.ca_bundle=/path (repeatable)")
    add("--backend-timeout", type=float, metavar="SECONDS", default=None,
        help="longest wait for a backend's answer (default 20)")
    add("--connect-timeout", type=float, metavar="SECONDS", default=None,
        help="longest wait to connect to a backend (default 5)")
    add("--ca-bundle", metavar="FILE", default=None,
        help="PEM file of the CAs trusted for backend TLS (default: the system's); verification is never off")
    add("--allow-private-providers", action="store_true", default=None,
        help="let providers sent by clients name loopback, private and link-local addresses "
             "(env DELTACLOUD_ALLOW_PRIVATE_PROVIDERS=1)")


def parse_driver_options(items: Sequence[str]) -> dict[str, dict[str, str]]:
    """``DRIVER.KEY=VALUE`` items as ``{driver: {key: value}}``; ``ConfigError`` naming a malformed one."""
    options: dict[str, dict[str, str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        driver, dot, key = name.partition(".")
        if not sep or not dot or not driver.strip() or not key.strip():
            raise ConfigError(f"--driver-option {item!r}: expected DRIVER.KEY=VALUE")
        options.setdefault(driver.strip(), {})[key.strip()] = value
    return options


def _read_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"--config: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--config: {path} is not valid TOML: {exc}") from None


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"{what} must be a positive number of seconds, not {value!r}")
    return float(value)


def backend_settings(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The ``ServerConfig`` fields the backend flags, the environment and the config file give."""
    file = _read_file(args.config) if args.config else {}
    backend = file.get("backend", {})
    drivers = file.get("drivers", {})
    if not isinstance(backend, dict) or not isinstance(drivers, dict):
        raise ConfigError("--config: [backend] and [drivers.NAME] must be tables")
    options: dict[str, dict[str, str]] = {}
    for name, table in drivers.items():
        if not isinstance(table, dict):
            raise ConfigError(f"--config: [drivers.{name}] must be a table of options")
        options[name] = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in table.items()}
    for name, table in parse_driver_options(args.driver_options).items():
        options.setdefault(name, {}).update(table)
    timeout = args.backend_timeout if args.backend_timeout is not None else backend.get("timeout", 20.0)
    connect = args.connect_timeout if args.connect_timeout is not None else backend.get("connect_timeout", 5.0)
    ca_bundle = args.ca_bundle or backend.get("ca_bundle") or None
    if ca_bundle and not os.access(ca_bundle, os.R_OK):
        raise ConfigError(f"--ca-bundle: cannot read {ca_bundle}")
    allow = args.allow_private_providers
    if allow is None:
        allow = (environ.get("DELTACLOUD_ALLOW_PRIVATE_PROVIDERS", "").strip().lower() in _TRUE
                 or bool(backend.get("allow_private_providers", False)))
    return {"driver_options": options, "backend_timeout": _number(timeout, "the backend timeout"),
            "connect_timeout": _number(connect, "the connect timeout"), "ca_bundle": ca_bundle,
            "allow_private_providers": bool(allow)}
