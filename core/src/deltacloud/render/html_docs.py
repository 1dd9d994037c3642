"""What the documentation pages show for each operation: parameters, the features adding them,
status codes and an example request, all from the one API description."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.render.context import RenderContext

#: Refusals every operation may answer, besides its own.
GENERIC_ERRORS = ((400, "a parameter is missing or invalid"), (401, "the credentials are missing or refused"),
                  (404, "the object or collection does not exist"),
                  (405, "the driver or the object's state does not allow it"))
_EXAMPLES = {"image_id": "img1", "hwp_id": "m1-small", "realm_id": "us", "name": "example", "instance_id": "inst1",
             "capacity": "1", "volume_id": "vol1", "protocol": "tcp", "port_from": "22", "port_to": "22",
             "blob_id": "hello.txt"}


def _example(op: Operation, collection: Collection, params: list[Param], ctx: RenderContext) -> str:
    url = f"{ctx.base}/{collection.name}{op.url_template}".replace("{id}", "ID").replace("{blob_id}", "BLOB")
    auth = "-u USER:PASSWORD " if op.auth else ""
    parts = [f"curl {auth}".rstrip()]
    if op.http_method not in ("GET", "POST"):
        parts.append(f"-X {op.http_method}")
    if op.http_method == "POST":
        sent = [p for p in params if p.required and p.source != "header"] or []
        for p in sent:
            flag = "-F" if p.type == "file" else "-d"
            value = "@file" if p.type == "file" else _EXAMPLES.get(p.name, "VALUE")
            parts.append(f"{flag} {p.name}={value}")
        if not sent:
            parts.append("-X POST")
    parts.append(f"'{url}'")
    return " ".join(parts)


def docs_context(described: list[tuple[Collection, list[tuple[Operation, list[Param]]]]], ctx: RenderContext,
                 link: Callable[..., str]) -> dict[str, Any]:
    """The template's values: per collection, per operation its parameter rows, statuses and example."""
    sections = []
    for collection, ops in described:
        entries = []
        for op, params in ops:
            from_feature = {p.name: d.name for d in ctx.features if d.feature.collection == collection.name
                            and d.feature.operation == op.name for p in d.params}
            rows = [(p, from_feature.get(p.name, "")) for p in params]
            statuses = [(op.status, "on success"), *((code, f"when {text}") for code, text in op.errors),
                        *((code, f"when {text}") for code, text in GENERIC_ERRORS if op.auth or code != 401)]
            entries.append({"op": op, "params": rows, "statuses": statuses,
                            "example": _example(op, collection, params, ctx),
                            "path": f"/api/{collection.name}{op.url_template}"})
        sections.append({"collection": collection, "operations": entries})
    single = len(described) == 1 and len(described[0][1]) == 1
    return {"sections": sections, "single": single}
