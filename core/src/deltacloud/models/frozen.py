"""``model``: the class decorator of every model, a frozen, slotted dataclass that is cheap to make.

A frozen dataclass refuses ``setattr``, so the ``__init__`` dataclasses generate stores each field
through ``object.__setattr__``, a lookup and a generic call per field (an instance of eighteen
fields costs about twice what storing them costs). Drivers make a model per object per listing,
so ``model`` replaces that ``__init__`` with one of the same signature (names, order, defaults,
annotations) that stores each field through its slot's descriptor directly, or, for a class of many
fields of its own, as plain attributes of a twin class of the same layout (``_twin_stores``). What
the class does is unchanged: still frozen, equal, hashable, ``dataclasses.replace``-able and picklable.

A class whose fields need more than storing (a ``default_factory``, a field left out of
``__init__``, keyword-only fields, an ``InitVar``, a ``__post_init__``) keeps the dataclass's
own ``__init__``.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

#: The generated ``__init__``'s first parameter (never a field's name, unlike ``self`` could be).
_SELF = "__model_self__"


@dataclass_transform(frozen_default=True)
def model(cls: type[T]) -> type[T]:
    """``dataclass(frozen=True, slots=True)(cls)`` with a cheaper ``__init__`` (see the module)."""
    made = dataclasses.dataclass(frozen=True, slots=True)(cls)
    init = _storing_init(made)
    if init is not None:
        made.__init__ = init  # type: ignore[misc]
    return made


def _storing_init(cls: type) -> Any:
    """An ``__init__`` for ``cls`` storing each field through its slot, or None when it needs more."""
    fields = dataclasses.fields(cls)
    taken = list(inspect.signature(cls.__init__).parameters)[1:]
    if hasattr(cls, "__post_init__") or taken != [field.name for field in fields]:  # an InitVar, a field not taken
        return None
    namespace: dict[str, Any] = {}
    params, body = [_SELF], []
    for index, field in enumerate(fields):
        slot = inspect.getattr_static(cls, field.name, None)  # its own slot or one it inherits
        if (field.kw_only or field.default_factory is not dataclasses.MISSING
                or type(slot).__name__ != "member_descriptor"):
            return None
        namespace[f"__store{index}"] = slot.__set__
        if field.default is dataclasses.MISSING:
            params.append(field.name)
        else:
            namespace[f"__default{index}"] = field.default
            params.append(f"{field.name}=__default{index}")
        body.append(f"    __store{index}({_SELF}, {field.name})\n")
    body = _twin_stores(cls, [field.name for field in fields], namespace) + body
    source = f"def __init__({', '.join(params)}):\n" + ("".join(body) or "    pass\n")
    exec(source, namespace)  # the text is made of the dataclass's own field names only
    init = namespace["__init__"]
    original = cls.__init__
    init.__qualname__ = original.__qualname__
    init.__module__ = original.__module__
    init.__annotations__ = dict(original.__annotations__)
    init.__doc__ = original.__doc__
    return init


#: From this many fields on, storing through a twin class is cheaper than through the slots' descriptors.
TWIN_FIELDS = 6


def _twin_stores(cls: type, names: list[str], namespace: dict[str, Any]) -> list[str]:
    """The lines that store every field of a ``cls`` through its twin class, or none when that is not cheaper.

    When each field is a slot of ``cls`` itself (no base but ``object``), a twin class with the same
    slots has the same layout: the object is made a twin for the time of its ``__init__``, each field
    is stored by a plain attribute store (the interpreter's fast slot store; no frozen ``__setattr__``
    in the way), and the object is put back in its class: an ``Instance`` of eighteen fields in about
    half the time of eighteen descriptor calls. Only for objects of ``cls`` itself: a subclass's layout
    may differ (the descriptor stores that follow serve it).
    """
    if len(names) < TWIN_FIELDS or cls.__bases__ != (object,) or list(getattr(cls, "__slots__", ())) != names:
        return []
    namespace.update(__model_class=cls, __twin=type(f"{cls.__name__}Fields", (), {"__slots__": tuple(names)}),
                     __set_class=object.__setattr__, __type_of=type)  # a field may be named "type"
    return [f"    if __type_of({_SELF}) is __model_class:\n",
            f"        __set_class({_SELF}, '__class__', __twin)\n",
            *[f"        {_SELF}.{name} = {name}\n" for name in names],
            f"        {_SELF}.__class__ = __model_class\n",
            "        return\n"]
