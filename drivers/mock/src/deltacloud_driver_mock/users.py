"""The mock's users: ``mockuser:mockpassword`` always, more from the driver option ``users``.

``deltacloudd -i mock --driver-option mock.users=alice:secret,bob:hunter2`` adds users (a
password may hold ``:``, not ``,``). ``mockuser`` keeps the storage directory itself, as before;
every other user gets a store of their own under ``<storage>/users/<digest of the name>/``, so
their instances, keys, volumes, snapshots, addresses, buckets, firewalls and load balancers are
theirs alone. Images live in ``mockuser``'s store, shared by all; realms and hardware profiles
are static.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from deltacloud.errors import AuthenticationError
from deltacloud.models import Credentials

#: The user every mock has, whose store is the storage directory itself.
DEFAULT_USER, DEFAULT_PASSWORD = "mockuser", "mockpassword"
#: Seed kinds copied into a new user's store (infrastructure, not anybody's objects).
_SHARED_SEED_KINDS = ("networks", "subnets")


@lru_cache(maxsize=16)
def parse_users(option: str | None) -> MappingProxyType[str, str]:
    """``name:password`` pairs separated by commas, plus the default user; ``ValueError`` for a bad entry.

    Read once per distinct option text (a driver is made per request); the mapping is read-only.
    """
    users = {DEFAULT_USER: DEFAULT_PASSWORD}
    for entry in (option or "").split(","):
        if not entry.strip():
            continue
        name, sep, password = entry.strip().partition(":")
        if not sep or not name or not password:
            raise ValueError("driver option mock.users must be NAME:PASSWORD[,NAME:PASSWORD...]")
        users[name] = password
    return MappingProxyType(users)


def check(users: MappingProxyType[str, str], credentials: Credentials) -> str:
    """The user ``credentials`` authenticate; ``AuthenticationError`` otherwise (constant-time comparisons)."""
    known = users.get(credentials.user)
    expected = known if known is not None else "\0" * 16  # compare anyway: no timing difference for unknown names
    password_ok = hmac.compare_digest(credentials.password.encode("utf-8", "surrogatepass"),
                                      expected.encode("utf-8", "surrogatepass"))
    if known is None or not password_ok:
        raise AuthenticationError("Invalid credentials for the mock driver")
    return credentials.user


def store_directory(root: Path, user: str | None, users: MappingProxyType[str, str]) -> Path:
    """Where ``user``'s objects live: the root for the default user, unknown users and no user at all."""
    if user is None or user == DEFAULT_USER or user not in users:
        return root
    digest = hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return root / "users" / digest


def user_seed(user: str, full: Any) -> dict[str, list[dict[str, Any]]]:
    """A new user's seed: the shared infrastructure of ``full`` and a ``default`` firewall of their own."""
    seed = {kind: list(full.get(kind, ())) for kind in _SHARED_SEED_KINDS}
    # The default firewall, its rules and their ids name their owner: make them the new user's.
    mine = json.dumps(user)[1:-1]
    seed["firewalls"] = [json.loads(json.dumps(doc).replace(f'"{DEFAULT_USER}', f'"{mine}')
                                    .replace(f"{DEFAULT_USER}~", f"{mine}~").replace(f",{DEFAULT_USER},", f",{mine},"))
                         for doc in full.get("firewalls", ()) if doc.get("id") == "default"]
    return seed
