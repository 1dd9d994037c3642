"""``deltacloud.models.frozen.model``: the cheaper ``__init__`` behaves exactly as the dataclass's own."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

import deltacloud.models as models
from deltacloud.models.frozen import model

MODELS = sorted((c for c in vars(models).values() if isinstance(c, type) and dataclasses.is_dataclass(c)),
                key=lambda c: c.__name__)


def _reference(cls: type) -> type:
    """The same fields as a plain ``dataclass(frozen=True, slots=True)``, with the init dataclasses generate."""
    specs = [(f.name, f.type, dataclasses.field(default=f.default, repr=f.repr, compare=f.compare))
             for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True, slots=True)


def _values(cls: type, tag: str) -> list[str]:
    return [f"{tag}-{f.name}" for f in dataclasses.fields(cls)]


def test_every_model_is_made_with_the_storing_init() -> None:
    assert len(MODELS) >= 25
    for cls in MODELS:
        assert "__store0" in cls.__init__.__code__.co_names, cls.__name__


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_same_signature_and_values_as_the_dataclass_init(cls: type) -> None:
    reference = _reference(cls)
    assert str(inspect.signature(cls)) == str(inspect.signature(reference))
    assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
    names = [f.name for f in dataclasses.fields(cls)]
    values = _values(cls, "p")
    made, expected = cls(*values), reference(*values)
    assert [getattr(made, n) for n in names] == [getattr(expected, n) for n in names] == values
    by_name = cls(**dict(zip(names, values, strict=True)))
    assert by_name == made and hash(by_name) == hash(made)
    assert repr(made).replace(cls.__qualname__, "X") == repr(expected).replace(reference.__qualname__, "X")
    required = [f for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
    least = cls(*values[:len(required)])
    assert [getattr(least, f.name) for f in dataclasses.fields(cls)] == [
        getattr(reference(*values[:len(required)]), f.name) for f in dataclasses.fields(cls)]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_still_frozen_picklable_and_replaceable(cls: type) -> None:
    values = _values(cls, "q")
    made = cls(*values)
    first = dataclasses.fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, first, "changed")
    assert pickle.loads(pickle.dumps(made)) == made
    changed = dataclasses.replace(made, **{first: "changed"})
    assert getattr(changed, first) == "changed" and changed != made and type(changed) is cls


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_wrong_arguments_are_refused_as_before(cls: type) -> None:
    values = _values(cls, "r")
    with pytest.raises(TypeError):
        cls(*values, "one too many")
    with pytest.raises(TypeError):
        cls(*values, no_such_field="x")
    with pytest.raises(TypeError):
        cls(*values, **{dataclasses.fields(cls)[0].name: "twice"})
    if dataclasses.fields(cls)[0].default is dataclasses.MISSING:
        with pytest.raises(TypeError):
            cls()


def test_a_class_that_needs_more_than_storing_keeps_the_dataclass_init() -> None:
    @model
    class WithFactory:
        items: list[str] = dataclasses.field(default_factory=list)

    @model
    class WithPostInit:
        name: str
        seen: list[str] = dataclasses.field(default_factory=list, compare=False)

        def __post_init__(self) -> None:
            self.seen.append(self.name)

    @model
    class WithInitVar:
        name: str
        hint: dataclasses.InitVar[str] = "x"

    for cls in (WithFactory, WithPostInit, WithInitVar):
        assert "__store0" not in cls.__init__.__code__.co_names, cls.__name__
    assert WithInitVar("a", "b").name == "a"
    assert WithFactory().items == [] and WithFactory().items is not WithFactory().items
    assert WithPostInit("a").seen == ["a"]


def test_a_model_made_from_another_stores_the_inherited_fields_too() -> None:
    @model
    class Child(models.Realm):
        extra: str = ""

    made = Child("r1", "Realm 1", extra="e")
    assert "__store0" in Child.__init__.__code__.co_names
    assert (made.id, made.name, made.state, made.limit, made.extra) == ("r1", "Realm 1", "AVAILABLE", "", "e")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.id = "other"  # type: ignore[misc]


def test_a_field_named_self_is_fine() -> None:
    @model
    class Odd:
        self: str
        other: str = "x"

    assert Odd("a").self == "a" and Odd(self="b", other="y").other == "y"


def test_models_of_many_fields_are_stored_through_their_twin_and_are_of_their_own_class() -> None:
    twins = [cls for cls in MODELS if "__twin" in cls.__init__.__code__.co_names]
    assert models.Instance in twins and models.Address not in twins  # three fields: descriptors are cheaper
    for cls in twins:
        made = cls(*_values(cls, "t"))
        assert type(made) is cls and made == cls(*_values(cls, "t"))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, dataclasses.fields(cls)[0].name, "changed")


def test_subclasses_of_a_model_stored_through_its_twin_keep_their_class_and_values() -> None:
    class Plain(models.Instance):  # not a model itself: the inherited init, an object with a __dict__
        pass

    @model
    class Child(models.Instance):  # a model of its own: more slots, its own init
        extra: str = ""

    values = _values(models.Instance, "s")
    for cls, made in ((Plain, Plain(*values)), (Child, Child(*values, extra="e"))):
        assert type(made) is cls
        assert [getattr(made, f.name) for f in dataclasses.fields(models.Instance)] == values
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.id = "other"  # type: ignore[misc]
    assert Child(*values, extra="e").extra == "e"
