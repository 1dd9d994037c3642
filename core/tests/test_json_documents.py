"""Every JSON document is written by ``render.jsonutil.dumps`` (orjson, json for what orjson refuses).

Oracle: Python's own encoder with the options the documents always had (compact, non-ASCII as it
is, lone surrogates replaced). Generated values must give the very same bytes when they hold no
float, and the same values (parsed back) when they do; what orjson refuses falls back to json.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from deltacloud.render.jsonutil import dumps as _dumps

REFERENCE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
#: Text that stresses escaping: quotes, backslashes, every control character, non-ASCII, astral, separators.
ALPHABET = ['"', "\\", "/", "a", "é", "日", "\U0001f600", "\u2028", "\u2029", "\x7f", " ", "<", "&",
            *map(chr, range(32))]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 12)))


def _value(rng: random.Random, depth: int, floats: bool) -> Any:
    kinds = ["str", "int", "bool", "none", *(["float"] if floats else [])]
    kinds += ["list", "tuple", "dict"] if depth else []
    kind = rng.choice(kinds)
    if kind == "str":
        return _text(rng)
    if kind == "int":
        return rng.choice([0, -1, 2048, 2**63 - 1, -(2**63), rng.randrange(-10**12, 10**12)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "float":
        return rng.choice([0.0, -0.0, 1.5, 1e16, 1e-7, 2.0**53, rng.uniform(-1e6, 1e6), 10 ** rng.uniform(-30, 30)])
    items = [_value(rng, depth - 1, floats) for _ in range(rng.randrange(0, 5))]
    if kind == "list":
        return items
    if kind == "tuple":
        return tuple(items)
    keys = [_text(rng) if rng.random() < 0.8 else rng.choice([1, -7, True, None]) for _ in items]
    return dict(zip(keys, items, strict=True))


@pytest.mark.parametrize("floats", [False, True])
def test_documents_are_what_pythons_encoder_wrote(floats: bool) -> None:
    rng = random.Random(31 + floats)
    for _ in range(3000):
        doc = _value(rng, 4, floats)
        expected = REFERENCE(doc).encode()
        got = _dumps(doc)
        assert json.loads(got) == json.loads(expected), doc
        if not floats:
            assert got == expected, doc


def test_what_orjson_refuses_is_written_as_before() -> None:
    for doc in ({"name": "lone \ud800 surrogate"}, {"size": 2**70}, [-(2**64)]):
        assert _dumps(doc) == REFERENCE(doc).encode("utf-8", "replace")
    assert _dumps({"name": "lone \ud800"}) == b'{"name":"lone ?"}'


def test_not_a_number_is_written_as_null_not_as_invalid_json() -> None:
    written = _dumps({"value": math.nan, "high": math.inf, "low": -math.inf})
    assert json.loads(written) == {"value": None, "high": None, "low": None}
    assert b"NaN" not in written and b"Infinity" not in written
