"""What one driver offers: the collections, operations and features the API shows for it.

Worked out from the API description and the driver class (which methods it implements, which
features it declares), then narrowed by what the driver says it offers for the request's
provider and credentials (``Driver.offers``). The entry point, routes, ``OPTIONS``, the docs,
the forms and the renderers' action links all read an ``Offer``; none of them names driver
methods.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deltacloud.api.features import DeclaredFeature
from deltacloud.api.spec import Collection, Operation


@dataclass(frozen=True)
class Offer:
    """The collection names, (collection, operation) pairs and features offered."""

    collections: frozenset[str]
    operations: frozenset[tuple[str, str]]
    features: tuple[DeclaredFeature, ...]


def implements(cls: type, collection: Collection, op: Operation) -> bool:
    """Whether the driver class implements ``op`` (show has a default built on the listing)."""
    if collection.always:
        return True
    method = collection.index.driver_method if op.kind == "show" and collection.index else op.driver_method
    return cls.supports(method)  # type: ignore[attr-defined]


def make_offer(collections: Iterable[Collection], cls: type, features: tuple[DeclaredFeature, ...],
               narrowed_collections: frozenset[str] | None = None,
               narrowed_features: frozenset[str] | None = None) -> Offer:
    """The offer of driver class ``cls`` with its declared ``features``, narrowed as the driver said."""
    names: set[str] = set()
    operations: set[tuple[str, str]] = set()
    for collection in collections:
        optional = not (collection.always or collection.base)
        index = collection.index
        if optional and (index is None or not cls.supports(index.driver_method)):  # type: ignore[attr-defined]
            continue
        if optional and narrowed_collections is not None and collection.name not in narrowed_collections:
            continue
        names.add(collection.name)
        operations.update((collection.name, op.name) for op in collection.operations if implements(cls, collection, op))
    kept = tuple(f for f in features if f.feature.collection in names
                 and (narrowed_features is None or f.name in narrowed_features))
    return Offer(frozenset(names), frozenset(operations), kept)
