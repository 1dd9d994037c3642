"""The fake GoGrid's account: servers, images, IPs, passwords and load balancers, driven by a clock.

Time-driven behaviour is computed from an injectable clock whenever the account is read, never
by background threads: a server added with ``grid/server/add`` has no ``id`` and is ``Off``
until ``id_delay`` seconds have passed, then it has an id, a root password and is ``On``;
``grid/server/power`` passes through ``Starting``/``Stopping``/``Restarting`` for
``power_delay`` seconds. Tests use ``ManualClock`` and advance it instead of sleeping.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from gogrid_fake import seed

Json = dict[str, Any]
NOT_FOUND = "No object found that matches your input criteria."
MAX_NAME = 20


class Clock(Protocol):
    """Where the fake reads the time: Unix seconds."""

    def time(self) -> float:
        """The current Unix time in seconds."""
        ...


class SystemClock:
    """The real clock."""

    def time(self) -> float:
        """``time.time()``."""
        return time.time()


class ManualClock:
    """A clock that moves only when told to (tests advance it instead of sleeping)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def time(self) -> float:
        """The clock's current reading."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        with self._lock:
            self._now += seconds


class Failure(Exception):  # noqa: N818 - GoGrid's own word for it
    """A request GoGrid refuses: answered with HTTP 400 and the failure envelope."""

    def __init__(self, message: str, errorcode: str = "IllegalArgumentException") -> None:
        super().__init__(message)
        self.message, self.errorcode = message, errorcode


@dataclass
class Server:
    """One server; ``id`` is None until GoGrid has assigned it."""

    name: str
    image: Json
    ram: Json
    ip: Json
    description: str
    sandbox: bool
    id: int | None = None
    state: str = "Off"
    due: float | None = None  # when the pending change (id, or the power transition) completes
    then: str = "On"  # the state reached at ``due``

    def to_json(self) -> Json:
        """The server as ``grid/server/*`` answers it (the shapes of the recordings)."""
        out: Json = {"os": self.image["os"], "ram": self.ram, "name": self.name,
                     "state": seed.SERVER_STATES[self.state], "isSandbox": self.sandbox, "image": self.image,
                     "datacenter": self.ip["datacenter"], "object": "server", "type": self.image["type"],
                     "ip": self.ip}
        if self.description:
            out["description"] = self.description
        if self.id is not None:
            out.update(id=self.id, diskSize=ram_mb(self.ram["name"]) * 50)
        return out


@dataclass
class Balancer:
    """One load balancer: a virtual IP and port forwarding to real IP/port pairs."""

    id: int
    name: str
    description: str
    virtual: Json
    port: int
    reals: list[tuple[Json, int]] = field(default_factory=list)
    type: Json = field(default_factory=lambda: seed.LB_TYPES[0])
    persistence: Json = field(default_factory=lambda: seed.LB_PERSISTENCE[0])

    def to_json(self) -> Json:
        """The load balancer as ``grid/loadbalancer/*`` answers it."""
        out: Json = {"id": self.id, "name": self.name, "object": "loadbalancer", "os": seed.LB_OS,
                     "state": seed.LB_STATE_ON, "type": self.type, "persistence": self.persistence,
                     "datacenter": self.virtual["datacenter"],
                     "virtualip": {"ip": self.virtual, "port": self.port, "object": "ipportpair"},
                     "realiplist": [{"ip": ip, "port": port, "object": "ipportpair"} for ip, port in self.reals]}
        if self.description:
            out["description"] = self.description
        return out


def ram_mb(name: str) -> int:
    """``"512MB"`` -> 512, ``"2GB"`` -> 2048."""
    return int(name[:-2]) * (1024 if name.endswith("GB") else 1)


def pick_option(options: tuple[Json, ...], value: str, what: str) -> Json:
    """The option whose id or name (case-insensitive) is ``value``."""
    for candidate in options:
        if value == str(candidate["id"]) or value.lower() == candidate["name"].lower():
            return candidate
    raise Failure(f"Invalid {what}: {value}")


class World:
    """The account's state, guarded by one lock; every operation settles due changes first."""

    def __init__(self, clock: Clock | None = None, id_delay: float = 30.0, power_delay: float = 10.0) -> None:
        self.clock: Clock = clock or SystemClock()
        self.id_delay, self.power_delay = id_delay, power_delay
        self.lock = threading.RLock()
        self.images: list[Json] = seed.images()
        self.ips: list[Json] = seed.ips()
        self.servers: dict[str, Server] = {}
        self.passwords: list[Json] = []
        self.balancers: dict[str, Balancer] = {}
        self._server_ids = itertools.count(386946)
        self._password_ids = itertools.count(400107)
        self._balancer_ids = itertools.count(23517)

    # -- time ----------------------------------------------------------------------------------

    def settle(self) -> None:
        """Complete every change whose time has come (ids for new servers, power transitions)."""
        now = self.clock.time()
        for server in self.servers.values():
            if server.due is None or server.due > now:
                continue
            if server.id is None:
                server.id = next(self._server_ids)
                self.passwords.append({"id": next(self._password_ids), "username": "root",
                                       "applicationtype": "os", "password": secrets.token_urlsafe(9),
                                       "server_name": server.name, "object": "password"})
            server.state, server.due = server.then, None

    # -- lookups and finders -------------------------------------------------------------------

    def ip(self, address: str) -> Json:
        """The IP record of ``address`` (or of its id)."""
        for ip in self.ips:
            if address in (ip["ip"], str(ip["id"])):
                return ip
        raise Failure(NOT_FOUND)

    def set_ip_state(self, ip: Json, assigned: bool) -> None:
        """Mark an IP assigned or unassigned (records are replaced, never mutated in place)."""
        fresh = {**ip, "state": seed.IP_STATES[1 if assigned else 0]}
        self.ips[self.ips.index(ip)] = fresh
        for server in self.servers.values():
            if server.ip["id"] == ip["id"]:
                server.ip = fresh

    def image(self, value: str) -> Json:
        """The image whose id or name is ``value``."""
        for image in self.images:
            if value in (str(image["id"]), image["name"]):
                return image
        raise Failure(NOT_FOUND)

    def server(self, params: Mapping[str, str]) -> Server:
        """The server named by ``id`` or ``name``; a server without an id yet is not found."""
        for server in self.servers.values():
            if server.id is not None and (params.get("id") == str(server.id) or params.get("name") == server.name):
                return server
        raise Failure(NOT_FOUND)

    def balancer(self, params: Mapping[str, str]) -> Balancer:
        """The load balancer named by ``id`` or ``name``."""
        for lb in self.balancers.values():
            if params.get("id") == str(lb.id) or params.get("name") == lb.name:
                return lb
        raise Failure(NOT_FOUND)

    def password_json(self, password: Json) -> Json:
        """A password entry as ``support/password/list`` shows it: with its server embedded."""
        out = {k: v for k, v in password.items() if k != "server_name"}
        server = self.servers.get(password["server_name"])
        if server is not None:
            out["server"] = server.to_json()
        return out

    # -- servers -------------------------------------------------------------------------------

    def add_server(self, params: Mapping[str, str]) -> Server:
        """``grid/server/add``: validate, take the IP, and start the server without an id."""
        name = params.get("name", "")
        for required in ("name", "image", "server.ram", "ip"):
            if not params.get(required):
                raise Failure(f"Missing required parameter: {required}")
        if len(name) > MAX_NAME:
            raise Failure(f"Server name is longer than {MAX_NAME} characters")
        if name in self.servers:
            raise Failure(f"A server named {name} already exists")
        image = self.image(params["image"])
        ram = pick_option(seed.RAMS, params["server.ram"], "server.ram")
        ip = self.ip(params["ip"])
        if not ip["public"] or ip["state"]["name"] != "Unassigned":
            raise Failure(f"IP {ip['ip']} is not an unassigned public IP")
        self.set_ip_state(ip, True)
        server = Server(name, copy.deepcopy(image), ram, self.ip(ip["ip"]), params.get("description", ""),
                        params.get("isSandbox", "false").lower() == "true",
                        due=self.clock.time() + self.id_delay, then="On")
        self.servers[name] = server
        return server

    def power(self, params: Mapping[str, str]) -> Server:
        """``grid/server/power``: start, stop or restart, through a transitional state."""
        server = self.server(params)
        command = params.get("power", "").lower()
        moves = {"start": ("Starting", "On"), "on": ("Starting", "On"), "stop": ("Stopping", "Off"),
                 "off": ("Stopping", "Off"), "restart": ("Restarting", "On"), "reboot": ("Restarting", "On")}
        if command not in moves:
            raise Failure(f"Invalid power command: {command}")
        now, then = moves[command]
        if server.due is not None:
            raise Failure(f"Server {server.name} is busy ({server.state})")
        server.state, server.then, server.due = now, then, self.clock.time() + self.power_delay
        return server

    def delete_server(self, params: Mapping[str, str]) -> Server:
        """``grid/server/delete``: remove the server, free its IP, drop its passwords."""
        server = self.server(params)
        del self.servers[server.name]
        self.set_ip_state(self.ip(server.ip["ip"]), False)
        self.passwords = [p for p in self.passwords if p["server_name"] != server.name]
        return server

    # -- load balancers ------------------------------------------------------------------------

    def _reals(self, params: Mapping[str, str]) -> list[tuple[Json, int]]:
        reals = []
        for n in itertools.count():
            address = params.get(f"realiplist.{n}.ip")
            if address is None:
                return reals
            reals.append((self.ip(address), _port(params.get(f"realiplist.{n}.port", ""))))
        return reals  # pragma: no cover - the loop returns

    def add_balancer(self, params: Mapping[str, str]) -> Balancer:
        """``grid/loadbalancer/add``: a virtual IP (taken) and port, real IP/port pairs."""
        name = params.get("name", "")
        if not name or not params.get("virtualip.ip"):
            raise Failure("Missing required parameter: name, virtualip.ip")
        if name in self.balancers:
            raise Failure(f"A load balancer named {name} already exists")
        virtual = self.ip(params["virtualip.ip"])
        if not virtual["public"] or virtual["state"]["name"] != "Unassigned":
            raise Failure(f"IP {virtual['ip']} is not an unassigned public IP")
        lb = Balancer(next(self._balancer_ids), name, params.get("description", ""), virtual,
                      _port(params.get("virtualip.port", "")), self._reals(params))
        if params.get("loadbalancer.type"):
            lb.type = pick_option(seed.LB_TYPES, params["loadbalancer.type"], "loadbalancer.type")
        if params.get("loadbalancer.persistence"):
            lb.persistence = pick_option(seed.LB_PERSISTENCE, params["loadbalancer.persistence"],
                                         "loadbalancer.persistence")
        self.set_ip_state(virtual, True)
        lb.virtual = self.ip(virtual["ip"])
        self.balancers[name] = lb
        return lb

    def edit_balancer(self, params: Mapping[str, str]) -> Balancer:
        """``grid/loadbalancer/edit``: replace the real IP list."""
        lb = self.balancer(params)
        lb.reals = self._reals(params)
        return lb

    def delete_balancer(self, params: Mapping[str, str]) -> Balancer:
        """``grid/loadbalancer/delete``: remove it and free its virtual IP."""
        lb = self.balancer(params)
        del self.balancers[lb.name]
        self.set_ip_state(self.ip(lb.virtual["ip"]), False)
        return lb


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise Failure(f"Invalid port: {value or '(missing)'}")
    return int(value)
