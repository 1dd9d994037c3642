"""Small helpers to write JSON: whole documents (orjson, json for what it refuses) and text written straight."""

from __future__ import annotations

import json
from typing import Any

import orjson

#: What orjson cannot write (lone surrogates, integers beyond 64 bits) is written by this encoder.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

#: A pattern of the text ``dumps`` writes between quotes unchanged: none of the characters a JSON
#: string cannot carry as they are (quotes, backslashes and control characters: escaped; lone surrogates:
#: refused). Everything else, non-ASCII included, ``dumps`` writes as it is.
JSON_PLAIN = '[^"\\\\\x00-\x1f\ud800-\udfff]*'


def dumps(doc: Any) -> bytes:
    """``doc`` as compact UTF-8 JSON, non-ASCII as it is; orjson writes it (several times cheaper than json).

    Keys that are not text are written as text (as json does). Where orjson's text differs from
    json's, it is still the same value: floats with exponents are written without ``+`` or leading
    zeros (``1e-7``, not ``1e-07``), and NaN or infinity as ``null`` (json wrote ``NaN``, which is
    not JSON). What orjson refuses goes to json: lone surrogates become ``?``.
    """
    try:
        return orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return _ENCODE(doc).encode("utf-8", "replace")


def inner(text: str) -> str:
    """``text`` as it stands between the quotes of a JSON string ``dumps`` writes (lone surrogates as ``?``)."""
    return dumps(text)[1:-1].decode()
