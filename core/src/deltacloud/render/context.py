"""What renderers know about the request: where the API lives and which driver answers."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from deltacloud.api.features import DeclaredFeature
from deltacloud.api.offer import Offer, make_offer
from deltacloud.driver.memo import IdentityMemo

T = TypeVar("T")


@dataclass(frozen=True)
class RenderContext:
    """The absolute API base URL (from the request's own scheme, host and script name) and the driver."""

    base: str
    driver_name: str
    driver_class: type
    features: tuple[DeclaredFeature, ...] = ()
    provider: str | None = None
    #: The (collection, operation) pairs the driver offers for this request; None: ask the class.
    offered: frozenset[tuple[str, str]] | None = None
    feature_names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "feature_names", frozenset(f.name for f in self.features))

    def href(self, collection: str, id: str | None = None, action: str | None = None) -> str:
        """The absolute URL of a collection, one of its objects, or an action on it."""
        url = f"{self.base}/{collection}"
        if id is not None:
            url = f"{url}/{quote_id(id)}"
        if action is not None:
            url = f"{url}/{action}"
        return url

    def offers(self, collection: str, operation: str) -> bool:
        """Whether the driver offers ``operation`` of ``collection`` (the API description decided it)."""
        if self.offered is None:
            return _class_offers(self.driver_class, collection, operation)
        return (collection, operation) in self.offered

    def derived(self, make: Callable[[RenderContext], T]) -> T:
        """``make(self)``, worked out once per context: what follows from the context alone.

        A context is frozen and shared by the requests of the same values (``shared_context``),
        so writers keep here what they would otherwise work out per object: escaped URL
        prefixes, whether an operation is offered. Never anything that depends on a model.
        """
        found = self._derived.get(make)
        if found is None:
            found = self._derived[make] = make(self)
        return found

    @functools.cached_property
    def _derived(self) -> dict[Callable[[RenderContext], Any], Any]:
        return {}


#: Contexts by their values (long-lived ones by identity), so one request after another shares one object.
_SHARED: IdentityMemo[RenderContext] = IdentityMemo(256)


def shared_context(base: str, driver_name: str, driver_class: type, features: tuple[DeclaredFeature, ...],
                   provider: str | None = None, offered: frozenset[tuple[str, str]] | None = None) -> RenderContext:
    """The ``RenderContext`` of these values: the same object while they are the same.

    ``driver_class``, ``features`` and ``offered`` are long-lived objects (the loaded driver's,
    the offer's) and are compared by identity; what is worked out from a context (the fragment
    cache's key of it) is then worked out once, not per request.
    """
    key = (base, driver_name, id(driver_class), id(features), provider, id(offered))
    found = _SHARED.get(key)
    if found is not None:
        return found
    ctx = RenderContext(base, driver_name, driver_class, features, provider, offered=offered)
    return _SHARED.put(key, ctx, driver_class, features, offered)


#: Ids made only of characters ``quote_id`` keeps as they are (most ids): returned unchanged, quickly.
_PLAIN_ID = re.compile(r"[A-Za-z0-9@:.\-_~!$&'()*+,=]*")


def quote_id(id: str) -> str:
    """``id`` as one segment of a URL path: percent-encoded but for the characters a segment may carry."""
    if _PLAIN_ID.fullmatch(id):
        return id
    from urllib.parse import quote

    # A lone surrogate (which no URL can carry as UTF-8) is percent-encoded as its code unit's
    # bytes rather than failing the whole answer.
    return quote(id, safe="@:.-_~!$&'()*+,=", errors="surrogatepass")


#: Matrix parameter values made only of characters ``quote_matrix`` keeps (most ids): returned unchanged.
_PLAIN_MATRIX = re.compile(r"[A-Za-z0-9@:.\-_~!$&'()*+,]*")


def quote_matrix(value: str) -> str:
    """``value`` as a matrix parameter's value (``;id=<value>``): as ``quote_id``, but ``=`` is quoted too."""
    if _PLAIN_MATRIX.fullmatch(value):
        return value
    from urllib.parse import quote

    return quote(value, safe="@:.-_~!$&'()*+,", errors="surrogatepass")


def _class_offers(driver_class: type, collection: str, operation: str) -> bool:
    """For contexts made outside a request (tests, tools): the offer of the driver class itself."""
    return (collection, operation) in _class_offer(driver_class).operations


@functools.cache
def _class_offer(driver_class: type) -> Offer:
    from deltacloud import plugins

    return make_offer(plugins.collections(), driver_class, ())
