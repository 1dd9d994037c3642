"""The vocabulary of the API description: collections, operations and parameters.

The whole API is described once with these classes (``deltacloud.api.base`` and the
``deltacloud_collections`` hook); routes, validation, ``OPTIONS``, the docs and the HTML
forms are all derived from that description.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ParamType = Literal["string", "integer", "number", "boolean", "list", "base64", "file"]
#: Where a parameter travels: the query string or form body (``param``), or a request header.
ParamSource = Literal["param", "header"]
OperationKind = Literal["index", "show", "create", "destroy", "action", "update"]

#: The HTTP method of each kind of operation (actions default to POST).
METHODS: dict[str, str] = {
    "index": "GET", "show": "GET", "create": "POST", "destroy": "DELETE", "action": "POST", "update": "PATCH",
}


@dataclass(frozen=True, slots=True)
class Param:
    """A request parameter: its type, whether it is required, allowed choices, other spellings.

    A ``list`` parameter is accepted repeated (``firewalls=a&firewalls=b``) and in the
    numbered form ``firewalls1``, ``firewalls2``…, as the original clients sent it; an alias
    with ``{n}`` in it takes the number there (``group{n}owner`` reads ``group1owner``…).
    """

    name: str
    type: ParamType = "string"
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    #: The longest value accepted, in characters (a feature's ``max_length`` constraint sets it).
    max_length: int | None = None
    #: ``header``: sent as a request header (``X-Deltacloud-Blobmeta-<key>``), read and checked by the
    #: operation's own resource (never looked for in the query string or body); the docs show it as a header.
    source: ParamSource = "param"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a collection.

    ``driver_method`` names the ``Driver`` method that implements it: the operation exists for
    a driver only when the driver implements that method. ``invoke``, when given, turns the
    validated parameters into the driver call; otherwise the call is derived from ``kind``.
    Parameters of features the driver advertises are added from the feature catalogue.
    ``path`` overrides the derived URL (relative to ``/api/<collection>``, e.g.
    ``/{id}/{blob_id}/content``) for operations served by a collection's own routes.
    """

    name: str
    kind: OperationKind
    driver_method: str
    status: int = 200
    params: tuple[Param, ...] = ()
    description: str = ""
    method: str = ""
    auth: bool = True
    invoke: Callable[..., Any] | None = None
    #: Refusals particular to this operation besides the generic 400, 401, 404 and 405, e.g.
    #: ``((409, "the volume is attached"),)``; the docs and the OpenAPI document list them.
    errors: tuple[tuple[int, str], ...] = ()
    path: str = ""
    #: The media type of a request body the operation streams to the driver instead of reading
    #: parameters from it (``application/octet-stream``: the body is the content; ``multipart/form-data``).
    body: str = ""

    @property
    def http_method(self) -> str:
        """The HTTP method clients use for this operation."""
        return self.method or METHODS[self.kind]

    @property
    def url_template(self) -> str:
        """The path below ``/api/<collection>``: explicit, or derived from the kind."""
        if self.path:
            return self.path
        if self.kind in ("index", "create"):
            return ""
        return "/{id}" + (f"/{self.name}" if self.kind == "action" else "")

    @property
    def on_member(self) -> bool:
        """Whether the operation addresses one object (``/api/<collection>/<id>``)."""
        return self.kind in ("show", "destroy", "action", "update")


@dataclass(frozen=True)
class Collection:
    """A top-level collection of the API.

    ``base`` collections must be implemented by every driver; ``always`` ones (drivers,
    instance_states) do not depend on the driver at all. ``model`` is the model class its
    items are, used by the renderers.
    """

    name: str
    singular: str
    description: str
    operations: tuple[Operation, ...]
    base: bool = False
    always: bool = False
    model: type | None = None
    #: ``routes(api, collection)`` -> ``{uri_template: resource}``, for a collection whose operations
    #: need resources of their own (buckets: streamed uploads, metadata headers, content downloads);
    #: None gives the generic ``/api/<name>``, ``/{id}`` and ``/{id}/{action}`` resources.
    routes: Callable[[Any, Collection], Mapping[str, Any]] | None = field(default=None, compare=False, repr=False)
    operations_by_name: dict[str, Operation] = field(init=False, repr=False, compare=False)
    #: The first operation of each kind (index, show, create, destroy): what a plain route runs.
    operations_by_kind: dict[str, Operation] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations_by_name", {op.name: op for op in self.operations})
        by_kind: dict[str, Operation] = {}
        for op in self.operations:
            by_kind.setdefault(op.kind, op)
        object.__setattr__(self, "operations_by_kind", by_kind)

    def operation(self, name: str) -> Operation | None:
        """The operation called ``name``, or None."""
        return self.operations_by_name.get(name)

    @property
    def index(self) -> Operation | None:
        """The listing operation, whose presence decides whether a driver supports the collection."""
        return self.operations_by_name.get("index")

    def actions(self) -> tuple[Operation, ...]:
        """The member actions (``POST /api/<collection>/<id>/<action>``)."""
        return tuple(op for op in self.operations if op.kind == "action")
