"""Networking in the API description, as 1.1 offered it: networks, subnets and network interfaces.

Also the ``run`` action of instances (run a command on one, over SSH on a real cloud), which
1.1 offered in every state of an instance whose driver could.
"""

from __future__ import annotations

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.models import Network, NetworkInterface, Subnet

ID_FILTER = Param("id", description="Only the object with this id")

NETWORKS = Collection(
    "networks", "network", "Private networks instances are connected to, each made of subnets.",
    (Operation("index", "index", "networks", params=(ID_FILTER,), description="List networks"),
     Operation("show", "show", "network", description="Show a network and its subnets"),
     Operation("create", "create", "create_network", status=201,
               params=(Param("address_block", description="The network's address block (CIDR), e.g. 10.0.0.0/16"),
                       Param("name", description="The network's name")),
               description="Create a network"),
     Operation("destroy", "destroy", "destroy_network", status=204, description="Delete a network without subnets",
               errors=((409, "the network still has subnets"),))),
    model=Network)

SUBNETS = Collection(
    "subnets", "subnet", "Parts of a network, each one address block.",
    (Operation("index", "index", "subnets", params=(ID_FILTER,), description="List subnets"),
     Operation("show", "show", "subnet", description="Show a subnet"),
     Operation("create", "create", "create_subnet", status=201,
               params=(Param("network_id", required=True, description="The network the subnet is part of"),
                       Param("address_block", required=True,
                             description="The subnet's address block (CIDR), inside one of the network's"),
                       Param("name", description="The subnet's name"),
                       Param("type", choices=("PRIVATE", "PUBLIC"), description="PRIVATE (default) or PUBLIC")),
               description="Create a subnet of a network",
               errors=((409, "the address block is outside the network's or overlaps another subnet"),)),
     Operation("destroy", "destroy", "destroy_subnet", status=204,
               description="Delete a subnet no interface is on", errors=((409, "an interface is on the subnet"),))),
    model=Subnet)

NETWORK_INTERFACES = Collection(
    "network_interfaces", "network_interface", "Instances' interfaces on networks, each with an address.",
    (Operation("index", "index", "network_interfaces", params=(ID_FILTER,), description="List network interfaces"),
     Operation("show", "show", "network_interface", description="Show a network interface"),
     Operation("create", "create", "create_network_interface", status=201,
               params=(Param("instance_id", required=True, aliases=("instance",),
                             description="The instance to connect (1.1's clients send it as 'instance')"),
                       Param("network_id", required=True, aliases=("network",),
                             description="The network, or one of its subnets (1.1's clients send it as 'network')"),
                       Param("name", description="The interface's name")),
               description="Connect an instance to a network"),
     Operation("destroy", "destroy", "destroy_network_interface", status=204,
               description="Disconnect an interface")),
    model=NetworkInterface)

#: The ``run`` action of instances; it answers 200 with what the command printed.
RUN = Operation(
    "run", "action", "run_on_instance", status=200,
    params=(Param("cmd", required=True, description="The command to run"),
            Param("private_key", description="The SSH private key to log in with"),
            Param("password", description="The password to log in with"),
            Param("ip", description="The address to connect to (default: the instance's first public address)"),
            Param("port", "integer", minimum=1, maximum=65535, description="The SSH port (default 22)")),
    description="Run a command on an instance and answer with its output")

#: The networking collections in the order ``/api`` lists them.
NETWORKING_COLLECTIONS: tuple[Collection, ...] = (NETWORKS, SUBNETS, NETWORK_INTERFACES)
