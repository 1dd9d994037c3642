"""The optional collections of the driver contract, as a mixin of ``Driver``.

A driver supports a collection by overriding its listing method (and the other methods of
the operations it offers); the placeholders here answer 501 and are never advertised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from deltacloud.errors import NotFoundError, NotSupportedError
from deltacloud.models import (
    Blob,
    Bucket,
    CommandOutput,
    Firewall,
    LoadBalancer,
    Metric,
    Network,
    NetworkInterface,
    PublicAddress,
    RuleSource,
    StorageSnapshot,
    StorageVolume,
    Subnet,
)

Filters = Mapping[str, str]


def _unsupported(what: str) -> NotSupportedError:
    return NotSupportedError(f"This driver does not support {what}")


class BlobData(Iterator[bytes]):
    """A blob's content as chunks, together with the ``Blob`` those chunks are the content of.

    ``blob_data`` may return one instead of a plain iterator: the download's ``Content-Type`` and
    ``Content-Length`` then describe exactly the bytes sent, even while another request replaces
    the blob (otherwise the core asks ``blob()`` separately). ``close()`` reaches ``chunks``.
    """

    def __init__(self, blob: Blob, chunks: Iterable[bytes]) -> None:
        self.blob = blob
        self._source = chunks
        self._chunks = iter(chunks)

    def __next__(self) -> bytes:
        return next(self._chunks)

    def close(self) -> None:
        """Release what the chunks hold (an open file, a backend connection)."""
        for target in (self._chunks, self._source):
            close = getattr(target, "close", None)
            if close is not None:
                close()


def find(items: Iterable[Any], id: str, what: str) -> Any:
    """The item of ``items`` whose id is ``id``; ``NotFoundError`` when there is none."""
    for item in items:
        if item.id == id:
            return item
    raise NotFoundError(f"{what} '{id}' not found")


class OptionalCollections:
    """Placeholders of every optional collection's methods."""

    # -- storage volumes -----------------------------------------------------------------------
    def storage_volumes(self, filters: Filters) -> Iterable[StorageVolume]:
        """List volumes."""
        raise _unsupported("storage volumes")

    def storage_volume(self, id: str) -> StorageVolume:
        """One volume; by default found in ``storage_volumes``."""
        return find(self.storage_volumes({"id": id}), id, "Storage volume")

    def create_storage_volume(self, capacity: int | None = None, realm_id: str | None = None,
                              snapshot_id: str | None = None, name: str | None = None,
                              description: str | None = None) -> StorageVolume:
        """Create a volume of ``capacity`` GB, empty or from a snapshot."""
        raise _unsupported("creating storage volumes")

    def attach_storage_volume(self, id: str, instance_id: str, device: str) -> StorageVolume:
        """Attach a volume to an instance at ``device``.

        A driver that can choose a free device itself declares ``device: str | None = None``; the
        core then calls it without ``device`` when the client sent none (400 for other drivers).
        """
        raise _unsupported("attaching storage volumes")

    def detach_storage_volume(self, id: str) -> StorageVolume:
        """Detach a volume from its instance."""
        raise _unsupported("detaching storage volumes")

    def destroy_storage_volume(self, id: str) -> None:
        """Delete a volume."""
        raise _unsupported("destroying storage volumes")

    # -- storage snapshots ---------------------------------------------------------------------
    def storage_snapshots(self, filters: Filters) -> Iterable[StorageSnapshot]:
        """List snapshots."""
        raise _unsupported("storage snapshots")

    def storage_snapshot(self, id: str) -> StorageSnapshot:
        """One snapshot; by default found in ``storage_snapshots``."""
        return find(self.storage_snapshots({"id": id}), id, "Storage snapshot")

    def create_storage_snapshot(self, volume_id: str, name: str | None = None,
                                description: str | None = None) -> StorageSnapshot:
        """Snapshot a volume."""
        raise _unsupported("creating storage snapshots")

    def destroy_storage_snapshot(self, id: str) -> None:
        """Delete a snapshot."""
        raise _unsupported("destroying storage snapshots")

    # -- addresses -----------------------------------------------------------------------------
    def addresses(self, filters: Filters) -> Iterable[PublicAddress]:
        """List allocated public addresses."""
        raise _unsupported("addresses")

    def address(self, id: str) -> PublicAddress:
        """One address; by default found in ``addresses``."""
        return find(self.addresses({"id": id}), id, "Address")

    def create_address(self) -> PublicAddress:
        """Allocate a public address."""
        raise _unsupported("allocating addresses")

    def associate_address(self, id: str, instance_id: str) -> PublicAddress:
        """Associate an address with an instance."""
        raise _unsupported("associating addresses")

    def disassociate_address(self, id: str) -> PublicAddress:
        """Disassociate an address from its instance."""
        raise _unsupported("disassociating addresses")

    def destroy_address(self, id: str) -> None:
        """Release an address."""
        raise _unsupported("releasing addresses")

    # -- firewalls -----------------------------------------------------------------------------
    def firewalls(self, filters: Filters) -> Iterable[Firewall]:
        """List firewalls."""
        raise _unsupported("firewalls")

    def firewall(self, id: str) -> Firewall:
        """One firewall; by default found in ``firewalls``."""
        return find(self.firewalls({"id": id}), id, "Firewall")

    def create_firewall(self, name: str, description: str) -> Firewall:
        """Create an empty firewall."""
        raise _unsupported("creating firewalls")

    def add_firewall_rule(self, id: str, protocol: str, port_from: int, port_to: int,
                          sources: tuple[RuleSource, ...]) -> Firewall:
        """Add an ingress rule; the core has validated protocol, ports and sources."""
        raise _unsupported("firewall rules")

    def delete_firewall_rule(self, id: str, rule_id: str) -> None:
        """Delete one rule of a firewall."""
        raise _unsupported("deleting firewall rules")

    def destroy_firewall(self, id: str) -> None:
        """Delete a firewall."""
        raise _unsupported("destroying firewalls")

    # -- load balancers ------------------------------------------------------------------------
    def load_balancers(self, filters: Filters) -> Iterable[LoadBalancer]:
        """List load balancers."""
        raise _unsupported("load balancers")

    def load_balancer(self, id: str) -> LoadBalancer:
        """One load balancer; by default found in ``load_balancers``."""
        return find(self.load_balancers({"id": id}), id, "Load balancer")

    def create_load_balancer(self, name: str, realm_id: str, listener_protocol: str,
                             listener_balancer_port: int, listener_instance_port: int) -> LoadBalancer:
        """Create a load balancer with one listener; its id is its name."""
        raise _unsupported("creating load balancers")

    def register_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Register an instance with a load balancer."""
        raise _unsupported("registering instances with load balancers")

    def unregister_load_balancer(self, id: str, instance_id: str) -> LoadBalancer:
        """Unregister an instance from a load balancer."""
        raise _unsupported("unregistering instances from load balancers")

    def destroy_load_balancer(self, id: str) -> None:
        """Delete a load balancer."""
        raise _unsupported("destroying load balancers")

    # -- buckets and blobs ---------------------------------------------------------------------
    def buckets(self, filters: Filters) -> Iterable[Bucket]:
        """List buckets."""
        raise _unsupported("buckets")

    def bucket(self, id: str) -> Bucket:
        """One bucket with its blob ids; by default found in ``buckets``."""
        return find(self.buckets({"id": id}), id, "Bucket")

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        """Create a bucket (feature ``bucket_location`` chooses where)."""
        raise _unsupported("creating buckets")

    def destroy_bucket(self, id: str) -> None:
        """Delete an empty bucket (``ConflictError`` when it is not empty)."""
        raise _unsupported("destroying buckets")

    def blob(self, bucket_id: str, blob_id: str) -> Blob:
        """One blob's attributes and metadata."""
        raise _unsupported("blobs")

    def create_blob(self, bucket_id: str, blob_id: str, stream: BinaryIO, content_type: str,
                    user_metadata: Mapping[str, str], content_length: int | None = None) -> Blob:
        """Store a blob read from ``stream`` in chunks (never read whole into memory); replace an existing one.

        ``stream.read(n)`` raises ``ValidationError`` when the client's body turns out bad (short,
        malformed): let it propagate and store nothing. ``content_length`` is None when unknown.
        """
        raise _unsupported("creating blobs")

    def blob_data(self, bucket_id: str, blob_id: str) -> Iterator[bytes]:
        """The blob's content as an iterator of chunks (a ``BlobData`` to say which version they are of).

        Raise ``NotFoundError`` before returning, or at the latest on the first chunk: the core
        fetches that one before it sends the status line.
        """
        raise _unsupported("blob content")

    def update_blob_metadata(self, bucket_id: str, blob_id: str, user_metadata: Mapping[str, str]) -> Blob:
        """Replace a blob's user metadata."""
        raise _unsupported("blob metadata")

    def destroy_blob(self, bucket_id: str, blob_id: str) -> None:
        """Delete a blob."""
        raise _unsupported("destroying blobs")

    # -- metrics -------------------------------------------------------------------------------
    def metrics(self, filters: Filters) -> Iterable[Metric]:
        """List the metrics of each instance."""
        raise _unsupported("metrics")

    def metric(self, id: str) -> Metric:
        """The metrics of one instance, with samples."""
        return find(self.metrics({"id": id}), id, "Metric")

    # -- networks, subnets, network interfaces -------------------------------------------------
    def networks(self, filters: Filters) -> Iterable[Network]:
        """List networks."""
        raise _unsupported("networks")

    def network(self, id: str) -> Network:
        """One network; by default found in ``networks``."""
        return find(self.networks({"id": id}), id, "Network")

    def create_network(self, address_block: str | None = None, name: str | None = None) -> Network:
        """Create a network of ``address_block`` (CIDR; the driver picks one when None)."""
        raise _unsupported("creating networks")

    def destroy_network(self, id: str) -> None:
        """Delete a network."""
        raise _unsupported("destroying networks")

    def subnets(self, filters: Filters) -> Iterable[Subnet]:
        """List subnets."""
        raise _unsupported("subnets")

    def subnet(self, id: str) -> Subnet:
        """One subnet; by default found in ``subnets``."""
        return find(self.subnets({"id": id}), id, "Subnet")

    def create_subnet(self, network_id: str, address_block: str, name: str | None = None,
                      type: str | None = None) -> Subnet:
        """Create a subnet of ``network_id`` covering ``address_block`` (CIDR)."""
        raise _unsupported("creating subnets")

    def destroy_subnet(self, id: str) -> None:
        """Delete a subnet."""
        raise _unsupported("destroying subnets")

    def network_interfaces(self, filters: Filters) -> Iterable[NetworkInterface]:
        """List network interfaces."""
        raise _unsupported("network interfaces")

    def network_interface(self, id: str) -> NetworkInterface:
        """One network interface; by default found in ``network_interfaces``."""
        return find(self.network_interfaces({"id": id}), id, "Network interface")

    def create_network_interface(self, instance_id: str, network_id: str,
                                 name: str | None = None) -> NetworkInterface:
        """Connect an instance to a network (or to one of its subnets: ``network_id`` may name a subnet)."""
        raise _unsupported("creating network interfaces")

    def destroy_network_interface(self, id: str) -> None:
        """Disconnect a network interface."""
        raise _unsupported("destroying network interfaces")

    # -- running commands on instances -------------------------------------------------------------
    def run_on_instance(self, id: str, cmd: str, private_key: str | None = None, password: str | None = None,
                        ip: str | None = None, port: int | None = None) -> CommandOutput:
        """Run ``cmd`` on instance ``id`` (over SSH on a real cloud) and return what it printed."""
        raise _unsupported("running commands on instances")
