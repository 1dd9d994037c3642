"""What renderers know about the request: where the API lives and which driver answers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from deltacloud.api.features import DeclaredFeature
from deltacloud.api.offer import Offer, make_offer


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
            url = f"{url}/{_quote(id)}"
        if action is not None:
            url = f"{url}/{action}"
        return url

    def offers(self, collection: str, operation: str) -> bool:
        """Whether the driver offers ``operation`` of ``collection`` (the API description decided it)."""
        if self.offered is None:
            return _class_offers(self.driver_class, collection, operation)
        return (collection, operation) in self.offered


#: Ids made only of characters ``_quote`` keeps as they are (most ids): returned unchanged, quickly.
_PLAIN_ID = re.compile(r"[A-Za-z0-9@:.\-_~!$&'()*+,=]*")


def _quote(id: str) -> str:
    if _PLAIN_ID.fullmatch(id):
        return id
    from urllib.parse import quote

    return quote(id, safe="@:.-_~!$&'()*+,=")


def _class_offers(driver_class: type, collection: str, operation: str) -> bool:
    """For contexts made outside a request (tests, tools): the offer of the driver class itself."""
    return (collection, operation) in _class_offer(driver_class).operations


@functools.cache
def _class_offer(driver_class: type) -> Offer:
    from deltacloud import plugins

    return make_offer(plugins.collections(), driver_class, ())
