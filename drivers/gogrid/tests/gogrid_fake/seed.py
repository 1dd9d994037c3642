"""What a fresh fake GoGrid account holds: the lookup lists, the server images and the IP blocks.

The shapes follow the recorded GoGrid answers (``/work/shared/reference/recordings/gogrid``):
enumerated values are ``option`` objects, images are ``serverimage`` objects. The values are
our own: three data centers as GoGrid had them, seven RAM sizes, two server types, a few images
(one without a description, one private to the account) and documentation-range IP blocks.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]


def option(id: int, name: str, description: str | None = "") -> Json:
    """An enumerated value as GoGrid nests it: ``{"id", "description", "name", "object": "option"}``."""
    return {"id": id, "description": description, "name": name, "object": "option"}


DATACENTERS = (
    option(1, "US-West-1", "US West 1 Datacenter"),
    option(2, "US-East-1", "US East 1 Datacenter"),
    option(3, "EU-West-1", "EU-West-1 Datacenter"),
)
RAMS = tuple(option(id, name, f"Server with {name} RAM")
             for id, name in ((1, "512MB"), (2, "1GB"), (3, "2GB"), (4, "4GB"), (5, "8GB"), (8, "16GB"), (9, "24GB")))
SERVER_TYPES = (option(1, "Web Server", "Web or Application Server"), option(2, "Database Server", "Database Server"))
IP_STATES = (option(1, "Unassigned", "IP is available to use"), option(2, "Assigned", "IP is reserved or in use"))
IP_TYPES = (option(1, "Public", "Public IP"), option(2, "Private", "Private IP"))
SERVER_STATES = {
    "On": option(1, "On", "Server is in active state."),
    "Starting": option(2, "Starting", "Server is starting."),
    "Off": option(3, "Off", None),
    "Stopping": option(4, "Stopping", "Server is stopping."),
    "Restarting": option(5, "Restarting", "Server is restarting."),
}
LB_TYPES = (option(1, "Round Robin"), option(2, "Least Connect"), option(3, "Source Address Hashing"))
LB_PERSISTENCE = (option(1, "None"), option(2, "SSL Sticky"), option(3, "Session Cookie"))
LB_STATE_ON = option(1, "On", "Loadbalancer is enabled and on.")
LB_OS = option(1, "F5", "The F5 Load Balancer.")

#: Every lookup ``common/lookup/list`` answers, by its ``lookup`` parameter.
LOOKUPS: dict[str, tuple[Json, ...]] = {
    "ip.datacenter": DATACENTERS,
    "server.ram": RAMS,
    "server.type": SERVER_TYPES,
    "ip.state": IP_STATES,
    "ip.type": IP_TYPES,
    "server.status": tuple(SERVER_STATES.values()),
    "loadbalancer.type": LB_TYPES,
    "loadbalancer.persistence": LB_PERSISTENCE,
}

#: The account's customer record (owner of its private images).
CUSTOMER = {"id": 20592, "name": "Fake Customer", "object": "customer"}
GOGRID = {"id": -1, "name": "GoGrid", "object": "customer"}
_ARCH = {32: option(1, "32-bit", "32 bit OS"), 64: option(2, "64-bit", "64 bit OS")}


def _image(id: int, name: str, friendly: str, description: str | None, bits: int, os: str, type: int,
           minram: int, owner: Json, public: bool) -> Json:
    image: Json = {
        "os": option(id + 1000, os, os),
        "datacenterlist": [{"state": option(2, "Available", "Image is available for adds"), "datacenter": dc,
                            "object": "image_datacenter_state", "updatedTime": 1294198799000}
                           for dc in DATACENTERS],
        "location": f"gogrid/GSI-fake-{id}.img",
        "state": option(2, "Available", "Image is available for adds"),
        "friendlyName": friendly,
        "object": "serverimage",
        "architecture": _ARCH[bits],
        "isPublic": public,
        "billingtokens": [{"id": id + 1000, "price": 0, "name": os, "object": "billingtoken"}],
        "type": SERVER_TYPES[type - 1],
        "id": id,
        "isActive": True,
        "gsitype": option(1, "baseGSI", "Image produced and certified by GoGrid"),
        "price": 0,
        "name": name,
        "owner": owner,
        "updatedTime": 1294198799000,
        "minram": RAMS[minram],
    }
    if description is not None:
        image["description"] = description
    return image


def images() -> list[Json]:
    """The server images of a fresh account (new dicts every call)."""
    return [
        _image(9928, "centos5.6_32_base", "CentOS 5.6 (32-bit) w/ None", "CentOS 5.6 (32-bit) w/ None", 32,
               "CentOS 5.6 (32-bit)", 1, 0, GOGRID, True),
        _image(11694, "centos6_64_base", "CentOS 6.0 (64-bit) w/ None", "CentOS 6.0 64bit, fully updated", 64,
               "CentOS 6.0 (64-bit)", 1, 0, GOGRID, True),
        _image(6, "w2k3r2_32_mssql2k5wg", "Windows 2003 (32-bit) w/ MSSQL 2005 Workgroup", None, 32,
               "Windows 2003 Standard (32 bit)", 2, 2, GOGRID, True),
        _image(15400, "fake_private_web", "Our web server (64-bit)", "The account's own saved image", 64,
               "Ubuntu 10.04 (64-bit)", 1, 0, CUSTOMER, False),
    ]


#: Public IP blocks per data center id (documentation ranges) and the private block.
PUBLIC_BLOCKS = {1: "192.0.2", 2: "198.51.100", 3: "203.0.113"}
PUBLIC_PER_DATACENTER = 14
PRIVATE_PER_DATACENTER = 4


def ips() -> list[Json]:
    """The account's IPs: 14 public and 4 private per data center, all unassigned."""
    out: list[Json] = []
    next_id = 1107360
    for dc in DATACENTERS:
        blocks = ((PUBLIC_BLOCKS[dc["id"]], True, PUBLIC_PER_DATACENTER),
                  (f"10.{dc['id']}.0", False, PRIVATE_PER_DATACENTER))
        for prefix, public, count in blocks:
            for host in range(1, count + 1):
                next_id += 1
                out.append({"id": next_id, "subnet": f"{prefix}.0/255.255.255.0", "state": IP_STATES[0],
                            "datacenter": dc, "object": "ip", "public": public, "ip": f"{prefix}.{host}"})
    return out
