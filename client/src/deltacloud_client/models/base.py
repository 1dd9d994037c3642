"""The base of every model: identity, raw fields, the action links the server sent, and actions.

A model keeps the dictionary the server sent (``data``, read by :mod:`deltacloud_client.parse`
from XML or JSON) and offers typed properties over it. Actions follow the links of the
representation: an action the resource did not offer is refused locally with
:class:`~deltacloud_client.errors.ActionNotAvailableError`, before any request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from deltacloud_client.errors import ActionNotAvailableError, ForbiddenError, NotFoundError
from deltacloud_client.transport import matrix_params

if TYPE_CHECKING:
    from deltacloud_client.client import Client


@dataclass(frozen=True)
class Link:
    """An action link: its name (``rel``), URL and HTTP method."""

    rel: str
    href: str
    method: str = "post"


def as_list(value: Any) -> list[Any]:
    """``value`` as a list: ``None`` and ``""`` are empty, a single item is wrapped."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def ref_id(value: Any) -> str | None:
    """The id of a reference (``{"id": ..., "href": ...}``) or of a plain string; ``None`` if absent."""
    if isinstance(value, dict):
        ident = value.get("id")
        return str(ident) if ident not in (None, "") else None
    if value in (None, ""):
        return None
    return str(value)


def text(value: Any) -> str | None:
    """A scalar field as text (XML elements with attributes carry it under ``value``)."""
    if isinstance(value, dict):
        value = value.get("value")
    if value is None:
        return None
    return str(value)


class Resource:
    """One resource of a collection, as the server last described it."""

    collection: ClassVar[str] = ""
    singular: ClassVar[str] = ""
    #: Columns the command line shows in tables, after ``id``.
    columns: ClassVar[tuple[str, ...]] = ("name",)

    def __init__(self, client: Client, data: dict[str, Any]) -> None:
        self.client = client
        self.data = data

    @property
    def id(self) -> str:
        """The resource's id."""
        return str(self.data.get("id", ""))

    @property
    def href(self) -> str:
        """The resource's URL as the server gave it (or built from its collection's URL)."""
        href = self.data.get("href")
        return str(href) if href else self.client.item_url(self.collection, self.id)

    @property
    def name(self) -> str | None:
        """The resource's name."""
        return text(self.data.get("name"))

    def field(self, key: str, default: Any = None) -> Any:
        """A raw field as the server sent it."""
        return self.data.get(key, default)

    @property
    def actions(self) -> dict[str, Link]:
        """The actions this representation offers, by name."""
        links: dict[str, Link] = {}
        for raw in as_list(self.data.get("actions")):
            if isinstance(raw, dict) and raw.get("rel"):
                links[raw["rel"]] = Link(raw["rel"], raw.get("href", ""), (raw.get("method") or "post").lower())
        return links

    def offers(self, action: str) -> bool:
        """Whether the last representation offered ``action``."""
        return action in self.actions

    def link(self, action: str) -> Link:
        """The link of ``action``; refuses locally when it was not offered."""
        found = self.actions.get(action)
        if found is None:
            offered = ", ".join(self.actions) or "none"
            state = getattr(self, "state", None)
            where = f" in state {state}" if state else ""
            raise ActionNotAvailableError(
                f"{self.singular or 'resource'} '{self.id}'{where} does not offer '{action}' (offered: {offered})",
                url=self.href)
        return found

    def perform(self, action: str, **params: Any) -> Any:
        """Carry out ``action`` through its link; the answer's document as a model, or ``None``."""
        link = self.link(action)
        data = {**matrix_params(link.href), **{k: v for k, v in params.items() if v is not None}}
        try:
            response = self.client.transport.request(link.method, link.href, data=data or None)
        except ForbiddenError as exc:
            if self.collection == "instances":
                # The original API answers 403 for an action on an instance that does not exist.
                raise NotFoundError(exc.message, status=exc.status, url=exc.url, driver=exc.driver,
                                    provider=exc.provider) from exc
            raise
        return self.client.model_from(response, default=self.collection)

    def destroy(self) -> None:
        """Destroy the resource: through its ``destroy`` link when it sent actions, else ``DELETE`` on its URL."""
        for rel in ("destroy", f"destroy_{self.singular}"):
            if rel in self.actions:
                self.perform(rel)
                return
        if self.data.get("actions") not in (None, "", []):
            self.link("destroy")  # it sent actions, and destroy is not among them: refuse
        self.client.transport.request("DELETE", self.href)

    def refresh(self) -> Resource:
        """The resource as the server describes it now (a conditional GET)."""
        return self.client.get(self.collection, self.id, conditional=True)

    def to_dict(self) -> dict[str, Any]:
        """The raw fields, for JSON output."""
        return dict(self.data)

    def row(self) -> dict[str, str]:
        """The table row the command line prints."""
        row = {"id": self.id}
        for column in self.columns:
            value = getattr(self, column, None)
            if isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            row[column] = "" if value is None else str(value)
        return row

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Resource) and other.collection == self.collection and other.id == self.id

    def __hash__(self) -> int:
        return hash((self.collection, self.id))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id!r}>"
