"""The text rules of parameter validation (issue 11): what names, descriptions and JSON values may hold."""

from __future__ import annotations

import re

import pytest

from deltacloud.api.params import JsonValue, check_text, validate, warning_header
from deltacloud.api.spec import Param
from deltacloud.errors import ValidationError


@pytest.mark.parametrize("value", ["a\x00", "a\x08", "a\x0b", "a\x1f", "a\ud800", "a\udfff", "a\ufffe", "a\uffff"])
@pytest.mark.parametrize("name", ["name", "description"])
def test_what_xml_cannot_carry_is_refused_everywhere(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_text(name, value)
    assert err.value.param == name


@pytest.mark.parametrize("value", ["a\tb", "a\nb", "a\r\nb", "a\x7fb", "a\x85b", "a\x9fb"])
def test_single_line_parameters_refuse_line_breaks_and_controls(value: str) -> None:
    with pytest.raises(ValidationError):
        check_text("realm_id", value)
    assert check_text("description", value) == value  # a description may span lines


def test_multiline_parameters_keep_line_breaks_and_tabs() -> None:
    assert check_text("description", "one\r\n\ttwo") == "one\r\n\ttwo"
    assert check_text("public_key", "ssh-rsa AAAA\n") == "ssh-rsa AAAA\n"


@pytest.mark.parametrize("value", ["a;b", "a/b", ".", ".."])
@pytest.mark.parametrize("name", ["name", "blob_id", "keyname"])
def test_names_must_round_trip_through_a_url(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_text(name, value)
    assert err.value.param == name


def test_other_text_may_hold_semicolons_and_unicode() -> None:
    assert check_text("description", "a;b/c é € 😀") == "a;b/c é € 😀"
    assert check_text("name", "web-1 é") == "web-1 é"


@pytest.mark.parametrize(("param", "value", "ok"), [
    (Param("name"), JsonValue("null", "null"), False),
    (Param("name"), JsonValue("true", "boolean"), False),
    (Param("name"), JsonValue("{...}", "object"), False),
    (Param("name"), JsonValue("42", "number"), True),
    (Param("n", "integer"), JsonValue("3", "number"), True),
    (Param("n", "integer"), JsonValue("true", "boolean"), False),
    (Param("b", "boolean"), JsonValue("true", "boolean"), True),
    (Param("b", "boolean"), JsonValue("1", "number"), False),
    (Param("d", "base64"), JsonValue("null", "null"), False),
    (Param("l", "list"), JsonValue("null", "null"), False),
])
def test_json_kinds(param: Param, value: JsonValue, ok: bool) -> None:
    if ok:
        values, _ = validate([param], {param.name: [value]})
        assert param.name in values
    else:
        with pytest.raises(ValidationError) as err:
            validate([param], {param.name: [value]})
        assert err.value.param == param.name


@pytest.mark.parametrize("raw", ["٣", "1_000", "9" * 30, " ", "0x10"])
def test_integers_are_plain_ascii_digits(raw: str) -> None:
    with pytest.raises(ValidationError):
        validate([Param("n", "integer")], {"n": [raw]})


@pytest.mark.parametrize("raw", ["nan", "inf", "-Infinity", "1e9999"])
def test_numbers_are_finite(raw: str) -> None:
    with pytest.raises(ValidationError):
        validate([Param("x", "number")], {"x": [raw]})


def test_the_warning_header_is_always_one_latin1_quoted_line() -> None:
    header = warning_header(["\U0001F600", "a\r\nb", "x\ud800", 'q"\\%', "plain"])
    assert header == '299 - "Ignored parameters: %F0%9F%98%80, a%0D%0Ab, x%ED%A0%80, q%22%5C%25, plain"'
    long = warning_header(["€" * 100])
    assert long.isascii() and long.endswith('"') and "%E2%82%AC" in long
    assert not re.search(r"%(?![0-9A-F]{2})", long)  # never a torn escape
