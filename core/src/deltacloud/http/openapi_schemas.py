"""Response schemas of the OpenAPI document: what every answer of every operation looks like.

The JSON schemas say what clients (and the fuzzer in CI) may rely on: a listing is an object
holding one array of items under the collection's name (the state machine is a bare array of
states, the drivers an object of drivers by id), a single object comes bare or wrapped under one
name, every item has an ``id``, and every error is an object with a numeric ``code`` and a
``message``. XML and HTML answers are declared by media type only.
"""

from __future__ import annotations

from typing import Any

from deltacloud.api.spec import Collection, Operation

#: An item of any collection: an object with a string ``id`` (and usually an ``href``).
ITEM: dict[str, Any] = {"type": "object", "required": ["id"],
                        "properties": {"id": {"type": "string"}, "href": {"type": "string"}}}
#: A state of the state machine (``/api/instance_states``).
STATE: dict[str, Any] = {"type": "object", "required": ["name"],
                         "properties": {"name": {"type": "string"}, "transitions": {"type": "array"}}}
#: Every error document in JSON.
ERROR: dict[str, Any] = {"type": "object", "required": ["code", "message"],
                         "properties": {"code": {"type": "integer"}, "message": {"type": "string"},
                                        "status": {"type": "integer"}, "url": {"type": "string"}}}
_WRAPPED_ITEM = {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": ITEM}
_WRAPPED_LIST = {"type": "object", "minProperties": 1, "maxProperties": 1,
                 "additionalProperties": {"type": "array", "items": ITEM}}
#: Errors every operation may answer besides its own, with why.
GENERIC_ERRORS = {
    "400": "Bad parameter (the message names it)", "401": "Missing or wrong credentials",
    "404": "Unknown object or collection", "405": "Not allowed in the object's state or not supported by the driver",
    "406": "No acceptable representation", "413": "Request body too large",
    "415": "Unreadable request body type", "502": "The cloud failed or answered garbage",
    "503": "The cloud or the store is busy (Retry-After)", "504": "The cloud did not answer in time",
}


def _listing(collection: Collection) -> dict[str, Any]:
    if collection.name == "instance_states":
        return {"type": "array", "items": STATE}
    if collection.name == "drivers":
        return {"type": "object", "additionalProperties": ITEM}
    return {"type": "object", "required": [collection.name],
            "properties": {collection.name: {"type": "array", "items": ITEM}}}


def success_schema(op: Operation, collection: Collection) -> dict[str, Any] | None:
    """The JSON schema of ``op``'s successful answer; None when it has no JSON body."""
    if op.status == 204 or op.http_method == "HEAD":
        return None
    if op.kind == "index":
        return _listing(collection)
    if op.kind == "show":
        return {"type": "object", "required": [collection.singular],
                "properties": {collection.singular: ITEM}}
    # create, update and actions: one object, bare or wrapped; a create of several instances lists them
    return {"anyOf": [ITEM, _WRAPPED_ITEM, _WRAPPED_LIST]}


def _error_response(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": ERROR},
                                             "application/xml": {"schema": {"type": "string"}},
                                             "text/html": {"schema": {"type": "string"}}}}


def responses(op: Operation, collection: Collection) -> dict[str, Any]:
    """The ``responses`` object of ``op``: its success, the generic errors, its own, and a default error."""
    success: dict[str, Any] = {"description": "Success"}
    if op.name == "blob_content":  # the user's bytes, in their own type
        success["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    else:
        schema = success_schema(op, collection)
        if schema is not None:
            success["content"] = {"application/json": {"schema": schema},
                                  "application/xml": {"schema": {"type": "string"}},
                                  "text/html": {"schema": {"type": "string"}}}
    out = {str(op.status): success}
    if op.http_method == "GET":
        out["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
    out.update({code: _error_response(text) for code, text in GENERIC_ERRORS.items()})
    out.update({str(code): _error_response(text) for code, text in op.errors})
    out["default"] = _error_response("Any other error, as an error document")
    return out
