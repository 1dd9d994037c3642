"""The catalogue of features a driver may advertise.

A feature belongs to one collection, adds optional parameters to one operation, and shows
in ``/api`` and the docs. Drivers declare features by name; a name missing from this
catalogue fails the driver at load time (the original silently dropped typos).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from deltacloud.api.spec import Param
from deltacloud.errors import DriverLoadError


@dataclass(frozen=True, slots=True)
class Feature:
    """A catalogue entry: ``name`` adds ``params`` to ``collection``'s ``operation``."""

    name: str
    collection: str
    operation: str
    params: tuple[Param, ...]
    description: str


@dataclass(frozen=True, slots=True)
class DeclaredFeature:
    """A feature as one driver advertises it, with its constraints (e.g. ``max_length``)."""

    feature: Feature
    constraints: Mapping[str, Any] = field(default_factory=dict)
    #: The feature's parameters with the constraints applied (``declare`` fills it).
    params: tuple[Param, ...] = ()

    @property
    def name(self) -> str:
        """The feature's catalogue name."""
        return self.feature.name


_FEATURES = (
    Feature("owner_id", "images", "index", (Param("owner_id"),), "List images of one owner"),
    Feature("image_name", "images", "create", (Param("name"),), "Name the image being created"),
    Feature("image_description", "images", "create", (Param("description"),), "Describe the image being created"),
    Feature("bucket_location", "buckets", "create", (Param("location", aliases=("bucket_location",)),),
            "Choose where a bucket is created"),
    Feature("metrics", "instances", "create", (Param("metrics", "boolean"),), "Turn on metrics for a new instance"),
    Feature("realm_filter", "instances", "index", (Param("realm_id"),), "List instances of one realm"),
    Feature("user_name", "instances", "create", (Param("name"),), "Name a new instance"),
    Feature("user_data", "instances", "create", (Param("user_data", "base64"),),
            "Pass base64 user data to a new instance"),
    Feature("user_files", "instances", "create", (Param("user_files", "list"),),
            "Inject files into a new instance: PATH=BASE64_CONTENT, repeated or numbered (user_files1…)"),
    Feature("user_iso", "instances", "create", (Param("user_iso", "base64"),),
            "Attach a base64 gzipped ISO to a new instance"),
    Feature("firewalls", "instances", "create", (Param("firewalls", "list"),), "Put a new instance in firewalls"),
    Feature("authentication_key", "instances", "create", (Param("keyname"),), "Log in to a new instance with a key"),
    Feature("authentication_password", "instances", "create", (Param("password"),),
            "Log in to a new instance with a password"),
    Feature("register_to_load_balancer", "instances", "create", (Param("load_balancer_id"),),
            "Register a new instance with a load balancer"),
    Feature("instance_count", "instances", "create", (Param("instance_count", "integer", minimum=1, maximum=100),),
            "Launch several instances at once"),
    Feature("attach_snapshot", "instances", "create", (Param("snapshot_id"), Param("device_name")),
            "Attach a volume made from a snapshot to a new instance"),
    Feature("sandboxing", "instances", "create", (Param("sandbox", "boolean"),), "Launch a new instance in a sandbox"),
    Feature("import_key", "keys", "create", (Param("public_key"),), "Import an existing public key"),
    Feature("volume_name", "storage_volumes", "create", (Param("name"),), "Name a new volume"),
    Feature("volume_description", "storage_volumes", "create", (Param("description"),), "Describe a new volume"),
)

#: Every known feature by name.
CATALOGUE: Mapping[str, Feature] = MappingProxyType({f.name: f for f in _FEATURES})


def declare(features: Mapping[str, Mapping[str, Any]] | tuple[str, ...] | frozenset[str] | list[str],
            owner: str) -> tuple[DeclaredFeature, ...]:
    """Check a driver's feature declaration against the catalogue.

    ``features`` is a collection of names, or a mapping of names to constraints. Raises
    ``DriverLoadError`` naming ``owner`` and the unknown feature.
    """
    items = features.items() if isinstance(features, Mapping) else ((name, {}) for name in features)
    declared = []
    for name, constraints in items:
        feature = CATALOGUE.get(name)
        if feature is None:
            raise DriverLoadError(
                f"{owner} declares unknown feature {name!r}; known features: {', '.join(sorted(CATALOGUE))}")
        unknown = sorted(set(constraints) - set(CONSTRAINTS))
        if unknown:
            raise DriverLoadError(f"{owner} gives feature {name!r} unknown constraints {', '.join(unknown)}; "
                                  f"known: {', '.join(sorted(CONSTRAINTS))}")
        frozen = MappingProxyType(dict(constraints))
        params = feature.params
        for constraint, value in frozen.items():
            params = tuple(CONSTRAINTS[constraint](p, value) for p in params)
        declared.append(DeclaredFeature(feature, frozen, params))
    return tuple(declared)


def _max_length(param: Param, value: Any) -> Param:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DriverLoadError(f"max_length of {param.name!r} must be a positive integer, not {value!r}")
    return replace(param, max_length=value)


#: Constraints a feature may carry, each applied by the core to the feature's parameters.
CONSTRAINTS: Mapping[str, Any] = MappingProxyType({"max_length": _max_length})

