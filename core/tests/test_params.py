"""Parameter validation: typed values, aliases, numbered lists, required and ignored parameters."""

import base64

import pytest

from deltacloud.api.params import validate
from deltacloud.api.spec import Param
from deltacloud.errors import ValidationError


def test_required_missing_names_the_parameter():
    with pytest.raises(ValidationError) as err:
        validate([Param("image_id", required=True)], {})
    assert err.value.param == "image_id"
    assert "image_id" in err.value.message


def test_empty_value_counts_as_missing():
    with pytest.raises(ValidationError):
        validate([Param("image_id", required=True)], {"image_id": [""]})


def test_types_are_converted():
    values, ignored = validate(
        [Param("n", "integer"), Param("x", "number"), Param("b", "boolean"), Param("d", "base64")],
        {"n": ["3"], "x": ["1.5"], "b": ["true"], "d": [base64.b64encode(b"hi").decode()]})
    assert values == {"n": 3, "x": 1.5, "b": True, "d": b"hi"}
    assert ignored == []


@pytest.mark.parametrize(("param", "raw"), [
    (Param("n", "integer"), "three"), (Param("x", "number"), "x"), (Param("b", "boolean"), "maybe"),
    (Param("n", "integer", minimum=1), "0"), (Param("n", "integer", maximum=5), "6"),
    (Param("c", choices=("tcp", "udp")), "sctp"),
])
def test_bad_values_are_refused_with_the_name(param, raw):
    with pytest.raises(ValidationError) as err:
        validate([param], {param.name: [raw]})
    assert err.value.param == param.name


def test_lists_accept_repeated_and_numbered_forms():
    values, ignored = validate([Param("firewalls", "list")],
                               {"firewalls": ["a"], "firewalls2": ["c"], "firewalls1": ["b"]})
    assert values["firewalls"] == ("a", "b", "c")
    assert ignored == []


def test_aliases_are_accepted():
    values, _ = validate([Param("location", aliases=("bucket_location",))], {"bucket_location": ["eu"]})
    assert values == {"location": "eu"}


def test_undeclared_parameters_are_reported_not_refused():
    values, ignored = validate([Param("a")], {"a": ["1"], "zzz": ["2"], "format": ["xml"]})
    assert values == {"a": "1"}
    assert ignored == ["zzz"]


def test_numbered_alias_with_the_number_inside():
    values, ignored = validate([Param("group", "list"), Param("group_owner", "list", aliases=("group{n}owner",))],
                               {"group2": ["b"], "group1": ["a"], "group2owner": ["o2"], "group1owner": ["o1"],
                                "group10owner": ["o10"]})
    assert values == {"group": ("a", "b"), "group_owner": ("o1", "o2", "o10")}
    assert ignored == []
