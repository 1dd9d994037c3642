"""``model``: the class decorator of every model, a frozen, slotted dataclass that is cheap to make.

A frozen dataclass refuses ``setattr``, so the ``__init__`` dataclasses generate stores each field
through ``object.__setattr__``, a lookup and a generic call per field (an instance of eighteen
fields costs about twice what storing them costs). Drivers make a model per object per listing,
so ``model`` replaces that ``__init__`` with one of the same signature (names, order, defaults,
annotations) that stores each field through its slot's descriptor directly. What the class does
is unchanged: still frozen, equal, hashable, ``dataclasses.replace``-able and picklable.

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
    source = f"def __init__({', '.join(params)}):\n" + ("".join(body) or "    pass\n")
    exec(source, namespace)  # the text is made of the dataclass's own field names only
    init = namespace["__init__"]
    original = cls.__init__
    init.__qualname__ = original.__qualname__
    init.__module__ = original.__module__
    init.__annotations__ = dict(original.__annotations__)
    init.__doc__ = original.__doc__
    return init
