"""The commands of ``deltacloudc``: list, show, create, destroy, actions, wait, path, drive, watch."""

from __future__ import annotations

import json
import mimetypes
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from deltacloud_client import watch as watching
from deltacloud_client.cli.output import Progress, emit, table
from deltacloud_client.client import Client
from deltacloud_client.collections import encode_user_data
from deltacloud_client.models import Instance
from deltacloud_client.waiting import Poller


class CommandError(Exception):
    """A command was given wrongly (exit status 2)."""


def _number(params: dict[str, str], name: str, default: float) -> float:
    try:
        return float(params.pop(name, default))
    except ValueError as exc:
        raise CommandError(f"--{name} must be a number") from exc


def _require(params: dict[str, str], name: str, action: str) -> str:
    value = params.pop(name, None)
    if not value:
        raise CommandError(f"{action} needs --{name}")
    return value


def show_api(client: Client, fmt: str, out: TextIO) -> int:
    """The entry point: version, driver, collections and features."""
    point = client.entrypoint
    if fmt == "json":
        data = {"version": point.version, "driver": point.driver, "provider": point.provider,
                "collections": {name: {"href": c.href, "features": [f.name for f in c.features]}
                                for name, c in point.collections.items()}}
        print(json.dumps(data, indent=2, sort_keys=True), file=out)
        return 0
    print(f"API {point.version} at {point.url}, driver {point.driver}"
          + (f", provider {point.provider}" if point.provider else ""), file=out)
    table([{"collection": name, "features": ", ".join(f.name for f in c.features)}
           for name, c in point.collections.items()], out)
    return 0


def show_states(client: Client, fmt: str, out: TextIO) -> int:
    """The driver's instance state machine."""
    machine = client.instance_states()
    rows = [{"from": t.source, "to": t.target, "by": t.action or "(automatic)"} for t in machine.transitions]
    if fmt == "json":
        print(json.dumps(rows, indent=2), file=out)
    else:
        table(rows, out)
    return 0


def watch(client: Client, params: dict[str, str], fmt: str, out: TextIO) -> int:
    """A summary by state, then each change as it happens, until interrupted (or ``--polls N``)."""
    interval = _number(params, "interval", 1.0)
    polls = params.pop("polls", None)
    instances = client.instances(**params)
    counts = watching.summary(instances)
    stamp = lambda: datetime.now().strftime("%H:%M:%S")  # noqa: E731
    if fmt == "json":
        print(json.dumps({"event": "summary", "states": counts, "total": sum(counts.values())}), file=out, flush=True)
    else:
        print(watching.describe_summary(counts), file=out, flush=True)
    # SIGTERM ends the watch as Ctrl-C does: quietly, status 0.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        start = {inst.id: inst for inst in instances}
        for change in watching.changes(client, interval, polls=int(polls) if polls else None, start=start):
            if fmt == "json":
                print(json.dumps(change.to_dict()), file=out, flush=True)
            else:
                print(f"{stamp()} {change.describe()}", file=out, flush=True)
    except KeyboardInterrupt:
        pass
    return 0


def waiting(client: Client, verb: str, ident: str, params: dict[str, str], fmt: str, out: TextIO,
            err: TextIO) -> int:
    """``wait``, ``path`` and ``drive`` of one instance."""
    state = _require(params, "state", verb)
    if verb == "path":
        emit(client.path(ident, state), fmt, out)
        return 0
    timeout = _number(params, "timeout", 300.0)
    progress = Progress(f"{ident}", err)
    poller = Poller(interval=_number(params, "poll", 0.2))
    started = time.monotonic()
    try:
        if verb == "wait":
            result = client.wait_for(ident, state, timeout, poller=poller, progress=progress)
        else:
            result = client.drive(ident, state, timeout, poller=poller, progress=progress, on_action=progress.action)
    finally:
        progress.finish()
    print(f"{ident}: {state.upper()} after {time.monotonic() - started:.1f}s", file=err, flush=True)
    if result is not None:
        emit(result, fmt, out)
    return 0


def blobs(client: Client, verb: str, bucket_id: str, params: dict[str, str], fmt: str, out: TextIO,
          err: TextIO) -> int:
    """``buckets blob BUCKET --id BLOB [--output FILE]`` and ``buckets put BUCKET --id BLOB --file FILE``."""
    blob_id = _require(params, "id", f"buckets {verb}")
    bucket = client.bucket(bucket_id)
    if verb == "put":
        path = Path(_require(params, "file", "buckets put"))
        content_type = params.pop("content_type", None) or mimetypes.guess_type(path.name)[0]
        blob = bucket.put_blob(blob_id, path.read_bytes(), content_type or "application/octet-stream", params)
        emit(blob, fmt, out)
        return 0
    blob = bucket.blob(blob_id)
    output = params.pop("output", None)
    if output is None:
        emit(blob, fmt, out)
        return 0
    content = blob.content()
    if output == "-":
        out.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(content)
        print(f"{bucket_id}/{blob_id}: {len(content)} bytes to {output}", file=err)
    return 0


def run(client: Client, positionals: list[str], params: dict[str, str], fmt: str, out: TextIO,
        err: TextIO) -> int:
    """Carry out ``COLLECTION [ACTION] [ID]`` with ``params``; the exit status."""
    if len(positionals) > 3:
        raise CommandError(f"too many arguments: {' '.join(positionals[3:])}")
    collection = positionals[0]
    verb = positionals[1] if len(positionals) > 1 else "list"
    ident = positionals[2] if len(positionals) > 2 else None
    if collection == "api":
        return show_api(client, fmt, out)
    if collection == "instance_states":
        return show_states(client, fmt, out)
    client.collection(collection)  # NotSupportedError when the server does not advertise it
    if verb in ("wait", "path", "drive", "watch") and collection != "instances":
        raise CommandError(f"{verb} is for instances")
    if verb == "watch":
        return watch(client, params, fmt, out)
    if verb == "list":
        emit(client.list(collection, **params), fmt, out)
        return 0
    if verb == "create":
        if collection == "instances" and "user_data" in params:
            params["user_data"] = encode_user_data(params["user_data"])
        emit(client.create(collection, **params), fmt, out)
        return 0
    if ident is None:
        raise CommandError(f"{verb} needs an ID")
    if verb in ("wait", "path", "drive"):
        return waiting(client, verb, ident, params, fmt, out, err)
    if collection == "buckets" and verb in ("blob", "put"):
        return blobs(client, verb, ident, params, fmt, out, err)
    resource = client.get(collection, ident)
    if verb == "show":
        emit(resource, fmt, out)
    elif verb == "destroy":
        resource.destroy()
        print(f"{ident} destroyed", file=err)
    elif verb == "run" and isinstance(resource, Instance):
        ran = resource.run(_require(params, "cmd", "run"), **params)
        if fmt == "json":
            print(json.dumps({"command": ran.command, "output": ran.output, "public_address": ran.public_address}),
                  file=out)
        else:
            out.write(ran.output)
    else:
        result: Any = resource.perform(verb, **params)
        emit(result if result is not None else f"{verb} {ident}: done", fmt, out)
    return 0
