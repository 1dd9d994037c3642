"""Several users on one mock (issue 11): each has their own objects, and no response carries another's.

A real ``deltacloudd -i mock --driver-option mock.users=alice:...,bob:...`` serves two users who
make 1,000 interleaved requests between them (two threads), conditional ones included; every
answer is checked against what that user made, and never names the other user or their objects.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree

from deltacloud.testing import Deltaclouds, ServerProcess

USERS = {"alice": "alice-secret", "bob": "bob:secret"}  # a password may hold ':'
REQUESTS_PER_USER = 500
TIMEOUT = 15
#: Collections whose listings must be exactly what the user made; the key is how an item is recognised.
OWN = {"keys": "name", "buckets": "name", "storage_volumes": "name", "addresses": "id", "instances": "name"}


@pytest.fixture(scope="module")
def server(deltacloudd_module: Deltaclouds) -> Iterator[ServerProcess]:
    """A mock with users alice and bob besides mockuser, immediate transitions, its own store."""
    users = ",".join(f"{name}:{password}" for name, password in USERS.items())
    proc = deltacloudd_module.start("--workers", "2", "--threads", "4", "--driver-option", f"mock.users={users}")
    yield proc
    proc.stop()
    assert "Traceback" not in proc.output(), proc.output()[-3000:]


@dataclass
class User:
    """What one user made, as the test saw it, and the failures found."""

    name: str
    session: requests.Session
    made: dict[str, set[str]] = field(default_factory=lambda: {c: set() for c in OWN})
    etags: dict[str, tuple[str, int]] = field(default_factory=dict)
    writes: dict[str, int] = field(default_factory=lambda: {c: 0 for c in OWN})
    requests: int = 0
    conditional: int = 0
    not_modified: int = 0
    failures: list[str] = field(default_factory=list)


def _listing_keys(content: bytes, collection: str) -> set[str]:
    doc = ElementTree.fromstring(content)
    attribute = OWN[collection]
    return {(item.get("id") if attribute == "id" else item.findtext(attribute)) or "" for item in doc}


def _names(other: str, text: str) -> bool:
    """Whether ``text`` names the user ``other``: as a word, not as three letters inside random key material.

    A key's PEM and public key are base64 (letters, digits, ``+``, ``/``, ``=``): any three letters
    turn up in them now and then, so a plain substring test failed runs at random.
    """
    return re.search(rf"(?<![A-Za-z0-9+/]){re.escape(other)}(?![A-Za-z0-9+/=])", text) is not None


def _check(user: User, other: str, resp: requests.Response, what: str) -> None:
    user.requests += 1
    if resp.status_code >= 500:
        user.failures.append(f"{what}: {resp.status_code}")
    if _names(other, resp.text) or any(other in value for value in resp.headers.values()):
        user.failures.append(f"{what}: the answer names {other}: {resp.text[:300]}")


def _create(user: User, other: str, api: str, collection: str, index: int) -> None:
    name = f"{user.name}-{collection[:3]}{index}"
    data = {"keys": {"name": name}, "buckets": {"name": name}, "storage_volumes": {"capacity": "1", "name": name},
            "addresses": {}, "instances": {"image_id": "img1", "name": name}}[collection]
    resp = user.session.post(f"{api}/{collection}", data=data, timeout=TIMEOUT)
    _check(user, other, resp, f"create {collection}")
    if resp.status_code != 201:
        user.failures.append(f"create {collection}: {resp.status_code} {resp.text[:200]}")
        return
    doc = ElementTree.fromstring(resp.content)
    user.made[collection].add(doc.get("id") if OWN[collection] == "id" else doc.findtext(OWN[collection]))
    user.writes[collection] += 1


def _list(user: User, other: str, api: str, collection: str, conditional: bool) -> None:
    url = f"{api}/{collection}"
    headers = {}
    remembered = user.etags.get(collection)
    if conditional and remembered is not None:
        headers["If-None-Match"] = remembered[0]
        user.conditional += 1
    resp = user.session.get(url, headers=headers, timeout=TIMEOUT)
    _check(user, other, resp, f"list {collection}")
    if resp.status_code == 304:
        user.not_modified += 1
        if remembered is None or remembered[1] != user.writes[collection]:
            user.failures.append(f"list {collection}: 304 although {user.name} changed things since that ETag")
        return
    if resp.status_code != 200:
        user.failures.append(f"list {collection}: {resp.status_code}")
        return
    seen = _listing_keys(resp.content, collection)
    if seen != user.made[collection]:
        user.failures.append(f"list {collection}: saw {sorted(seen)}, made {sorted(user.made[collection])}")
    if conditional and remembered is not None and remembered[1] == user.writes[collection] \
            and resp.headers["ETag"] == remembered[0]:
        user.failures.append(f"list {collection}: 200 with the very ETag sent in If-None-Match")
    user.etags[collection] = (resp.headers["ETag"], user.writes[collection])


def _peek(user: User, other: str, api: str, theirs: dict[str, set[str]]) -> None:
    """Ask for one of the other user's objects by its id: it must not be there."""
    for collection in ("keys", "buckets"):
        for name in list(theirs[collection])[:1]:
            resp = user.session.get(f"{api}/{collection}/{name}", timeout=TIMEOUT)
            user.requests += 1  # the 404 quotes the id asked for, so it names the other user: not checked for that
            if resp.status_code != 404:
                user.failures.append(f"{user.name} got {other}'s {collection[:-1]} {name}: {resp.status_code}")


def _run(user: User, other: User, api: str, seed: int, start: threading.Barrier) -> None:
    rng = random.Random(seed)
    start.wait(timeout=TIMEOUT)
    index = 0
    while user.requests < REQUESTS_PER_USER:
        roll = rng.random()
        collection = rng.choice(list(OWN))
        if roll < 0.2:
            index += 1
            _create(user, other.name, api, collection, index)
        elif roll < 0.9:
            _list(user, other.name, api, collection, conditional=roll >= 0.55)
        else:
            _peek(user, other.name, api, other.made)


def test_two_users_never_see_each_others_objects(server: ServerProcess) -> None:
    users = {}
    for name, password in USERS.items():
        session = requests.Session()
        session.auth = (name, password)
        users[name] = User(name, session)
    alice, bob = users["alice"], users["bob"]
    start = threading.Barrier(2)
    threads = [threading.Thread(target=_run, args=(alice, bob, server.url, 1, start)),
               threading.Thread(target=_run, args=(bob, alice, server.url, 2, start))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
        assert not thread.is_alive(), "the interleaved run did not finish within 240 s"
    assert alice.failures == [] and bob.failures == []
    assert alice.requests + bob.requests >= 2 * REQUESTS_PER_USER
    for user in (alice, bob):
        assert user.conditional > 20 and user.not_modified > 0, (user.conditional, user.not_modified)
        assert all(user.made[c] for c in OWN), user.made  # each made at least one of every kind


def test_images_and_realms_are_shared_and_the_default_user_stays(server: ServerProcess) -> None:
    auths = [("mockuser", "mockpassword"), *USERS.items()]
    listings = {a[0]: requests.get(f"{server.url}/images", auth=a, timeout=TIMEOUT) for a in auths}
    assert {r.status_code for r in listings.values()} == {200}
    assert len({r.content for r in listings.values()}) == 1
    realms = {requests.get(f"{server.url}/realms", auth=a, timeout=TIMEOUT).content for a in auths}
    assert len(realms) == 1
    mine = requests.get(f"{server.url}/instances", auth=("mockuser", "mockpassword"), timeout=TIMEOUT)
    assert {"inst0", "inst1"} <= {item.get("id") for item in ElementTree.fromstring(mine.content)}
    for name in USERS:
        assert b"mockuser" not in requests.get(f"{server.url}/instances", auth=(name, USERS[name]),
                                               timeout=TIMEOUT).content


@pytest.mark.parametrize("auth", [("alice", "bob:secret"), ("bob", "alice-secret"), ("carol", "x"), ("alice", "")])
def test_a_user_with_another_users_password_is_refused(server: ServerProcess, auth: tuple[str, str]) -> None:
    assert requests.get(f"{server.url}/keys", auth=auth, timeout=TIMEOUT).status_code == 401


def test_a_malformed_users_option_stops_the_server(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"mock\.users"):
        Deltaclouds(tmp_path).start("--driver-option", "mock.users=nopassword", timeout=10)
