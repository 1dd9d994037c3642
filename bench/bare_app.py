"""The benchmark's baseline: a bare Falcon app serving fixed bytes under deltacloudd's own server settings.

    python bench/bare_app.py --port PORT --bodies DIR [--workers 2] [--threads 4]

``DIR`` holds the documents to serve, one file per path and format, named
``<path with / as ~>.<xml|json>`` (``api~instances.xml`` answers ``GET /api/instances`` with
``Accept: application/xml``), and beside each the ETag deltacloudd sent with it (``<file>.etag``,
optional: else the body's MD5). They are the bytes deltacloudd itself sent, so both sides move the
same amount of data, and a poller's ``If-None-Match`` gets a 304 from both. The app does what any
Falcon app minimally does for such a document: picks the format from ``Accept``, sets
``Content-Type`` and a precomputed ``ETag``, answers a matching ``If-None-Match`` with 304. It
runs under gunicorn exactly as ``deltacloudd`` does (the same ``gunicorn_options``, the same
guarded asgi worker, the same ``ThreadedWSGI`` thread pool), so the ratio measures what the
Deltacloud app itself costs.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import falcon

from deltacloud.cli import DeltacloudServer, build_parser, gunicorn_options, server_config

TYPES = {"xml": "application/xml", "json": "application/json"}


class Documents:
    """Every GET: the stored bytes for the path and format, with their ETag; 304 when it matches."""

    def __init__(self, directory: Path) -> None:
        self.bodies: dict[tuple[str, str], tuple[bytes, str]] = {}
        for file in directory.iterdir():
            fmt = file.suffix.lstrip(".")
            if fmt in TYPES:
                data = file.read_bytes()
                path = "/" + file.stem.replace("~", "/")
                sent = file.with_name(file.name + ".etag")
                tag = (sent.read_text().strip().strip('"') if sent.exists()
                       else hashlib.md5(data, usedforsecurity=False).hexdigest())
                self.bodies[(path, fmt)] = (data, tag)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        fmt = "json" if "json" in (req.get_header("Accept") or "") else "xml"
        found = self.bodies.get((req.path, fmt))
        if found is None:
            raise falcon.HTTPNotFound()
        data, tag = found
        resp.etag = tag
        if req.if_none_match and any(t == tag for t in req.if_none_match):
            resp.status = falcon.HTTP_304
            return
        resp.content_type = TYPES[fmt]
        resp.data = data


def make_app(directory: Path) -> falcon.App:
    """The bare WSGI app over the documents in ``directory``."""
    app = falcon.App()
    documents = Documents(directory)
    for path, _fmt in documents.bodies:
        app.add_route(path, documents)
    return app


class BareServer(DeltacloudServer):
    """deltacloudd's embedded gunicorn, loading the bare app instead of Deltacloud's."""

    def __init__(self, directory: Path, *args: Any) -> None:
        self._directory = directory
        super().__init__(*args)

    def load(self) -> Any:
        """The bare app behind the same ``ThreadedWSGI`` front as deltacloudd."""
        from deltacloud.serve import ThreadedWSGI

        options = self._options
        return ThreadedWSGI(make_app(self._directory), threads=options["threads"],
                            max_body=self._config.max_body_bytes, max_upload=options["max_upload"],
                            send_timeout=options["timeout"], multiprocess=options["workers"] > 1)


def main() -> int:
    parser = build_parser()  # deltacloudd's own flags, so both servers are set up by the same words
    parser.add_argument("--bodies", type=Path, required=True, help="directory of the documents to serve")
    args = parser.parse_args()
    url = f"http://{args.hostname}:{args.port}/api"
    server = BareServer(args.bodies, server_config(args), gunicorn_options(args), f"bare app on {url}")
    try:
        server.run()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
