"""HTML forms built from the API description: one field per parameter, with the driver's features.

Parameters that name other objects become selects of those objects (fetched through the
request's ``lookup``, which the HTTP layer provides); choices become selects, bounded numbers
number inputs with ``min``/``max``. The launch form offers each hardware profile's own controls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.models import HardwareProfile
from deltacloud.render.context import RenderContext
from deltacloud.render.html_views import label as field_label
from deltacloud.render.html_views import property_text

#: Parameters that name an object of another collection.
REFERENCE_PARAMS = {
    "image_id": "images", "realm_id": "realms", "hwp_id": "hardware_profiles", "keyname": "keys",
    "firewalls": "firewalls", "instance_id": "instances", "volume_id": "storage_volumes",
    "snapshot_id": "storage_snapshots", "load_balancer_id": "load_balancers", "network_id": "networks",
    "subnet_id": "subnets",
}
_MULTILINE = frozenset({"description", "public_key", "private_key", "user_data", "cmd"})
_SECRET = frozenset({"password"})
Lookup = Callable[[str], Sequence[Any]]


@dataclass
class Field:
    """One form control."""

    name: str
    label: str
    kind: str = "text"  # text, textarea, number, select, file, checkbox
    required: bool = False
    hint: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    multiple: bool = False
    minimum: float | None = None
    maximum: float | None = None
    maxlength: int | None = None
    value: str = ""
    values: tuple[str, ...] = ()


@dataclass
class ProfileControls:
    """The bounded inputs of one hardware profile (ranges and enums), shown while it is chosen."""

    profile: str
    fields: list[Field]


@dataclass
class Form:
    """A whole form: where it goes, its fields, hidden values and the button's text."""

    id: str
    title: str
    href: str
    submit: str
    fields: list[Field]
    hidden: list[tuple[str, str]] = field(default_factory=list)
    multipart: bool = False
    profiles: list[ProfileControls] = field(default_factory=list)


def operation_fields(op: Operation, collection: Collection, ctx: RenderContext) -> list[Param]:
    """The parameters of an operation: its own plus those of the features the driver advertises."""
    fields = list(op.params)
    names = {p.name for p in fields}
    for declared in ctx.features:
        feature = declared.feature
        if feature.collection == collection.name and feature.operation == op.name:
            fields.extend(p for p in declared.params if p.name not in names)
    return [p for p in fields if p.source != "header" and (p.name != "id" or op.kind != "index")]


def _option_label(item: Any) -> str:
    ident = getattr(item, "id", str(item))
    extra = [str(v) for v in (getattr(item, "name", ""), getattr(item, "description", "")) if v and v != ident]
    if isinstance(item, HardwareProfile):
        extra = [f"{p.name} {property_text(p)}" for p in item.properties if p.name in ("cpu", "memory")]
    state = getattr(item, "state", "")
    text = f"{ident} — {', '.join(extra)}" if extra else ident
    return f"{text} ({state})" if state and type(item).__name__ in ("Instance", "StorageVolume") else text


def _field(p: Param, ctx: RenderContext, lookup: Lookup | None, values: Mapping[str, Any]) -> Field:
    given = values.get(p.name)
    chosen = tuple(given) if isinstance(given, list | tuple) else ((str(given),) if given not in (None, "") else ())
    f = Field(p.name, field_label(p.name), required=p.required, hint=p.description, maxlength=p.max_length,
              value="" if p.name in _SECRET else (chosen[0] if chosen else ""), values=chosen)
    target = REFERENCE_PARAMS.get(p.name)
    if target and lookup is not None and ctx.offers(target, "index"):
        items = lookup(target)
        if items:
            f.kind, f.multiple = "select", p.type == "list"
            f.options = [(str(getattr(i, "id", i)), _option_label(i)) for i in items]
            if not p.required and not f.multiple:
                f.options.insert(0, ("", "(the cloud chooses)"))
            return f
    if p.choices:
        f.kind, f.options = "select", [(c, c) for c in p.choices]
        if not p.required:
            f.options.insert(0, ("", "(default)"))
    elif p.type in ("integer", "number"):
        f.kind, f.minimum, f.maximum = "number", p.minimum, p.maximum
    elif p.type == "file":
        f.kind = "file"
    elif p.type == "boolean":
        f.kind = "checkbox"
    elif p.name in _MULTILINE or p.type == "base64":
        f.kind = "textarea"
    elif p.name in _SECRET:
        f.kind = "password"
    return f


def profile_controls(profiles: Sequence[Any]) -> list[ProfileControls]:
    """For each profile with ranges or enums, its inputs (``hwp_<property>``) bounded as the profile says."""
    out = []
    for profile in profiles:
        fields = []
        for prop in getattr(profile, "properties", ()):
            if prop.kind == "range":
                fields.append(Field(f"hwp_{prop.name}", prop.name, "number", value=prop.value,
                                    minimum=float(prop.first), maximum=float(prop.last),
                                    hint=f"{prop.first} to {prop.last} {prop.unit}"))
            elif prop.kind == "enum":
                fields.append(Field(f"hwp_{prop.name}", prop.name, "select", value=prop.value,
                                    options=[(v, f"{v} {prop.unit}") for v in prop.values]))
        if fields:
            out.append(ProfileControls(profile.id, fields))
    return out


def build_form(op: Operation, collection: Collection, ctx: RenderContext, href: str, lookup: Lookup | None, *,
               values: Mapping[str, Any] | None = None, hidden: Mapping[str, str] | None = None,
               title: str | None = None, submit: str | None = None) -> Form:
    """The form of ``op``: fields from the description and the features, references as selects."""
    values = values or {}
    hidden = dict(hidden or {})
    params = [p for p in operation_fields(op, collection, ctx) if p.name not in hidden]
    profiles: list[ProfileControls] = []
    if collection.name == "instances" and op.name == "create" and lookup is not None \
            and ctx.offers("hardware_profiles", "index"):
        profiles = profile_controls(lookup("hardware_profiles"))
        if profiles:
            params = [p for p in params if not p.name.startswith("hwp_") or p.name == "hwp_id"]
            for controls in profiles:
                for f in controls.fields:
                    if f.name in values:
                        f.value = str(values[f.name])
    fields = [_field(p, ctx, lookup, values) for p in params]
    # files last: a browser sends the parts in this order, and fields ahead of the file let the
    # server stream the file straight to the driver instead of spooling it to read what follows
    fields.sort(key=lambda f: (f.kind == "file", not f.required))
    return Form(id=f"{op.name}-form", title=title or op.description or op.name.replace("_", " "), href=href,
                submit=submit or op.name.replace("_", " ").capitalize(), fields=fields,
                hidden=list(hidden.items()), multipart=any(f.kind == "file" for f in fields), profiles=profiles)
