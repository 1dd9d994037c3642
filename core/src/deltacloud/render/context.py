"""What renderers know about the request: where the API lives and which driver answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from deltacloud.api.features import DeclaredFeature


@dataclass(frozen=True)
class RenderContext:
    """The absolute API base URL (from the request's own scheme, host and script name) and the driver."""

    base: str
    driver_name: str
    driver_class: type
    features: tuple[DeclaredFeature, ...] = ()
    provider: str | None = None
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

    def supports(self, method: str) -> bool:
        """Whether the current driver implements ``method``."""
        return self.driver_class.supports(method)  # type: ignore[attr-defined]


def _quote(id: str) -> str:
    from urllib.parse import quote

    return quote(id, safe="@:.-_~!$&'()*+,=")
