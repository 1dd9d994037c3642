"""The WSGI layer in front of Falcon: each request's environ made ready for routing, in one pass.

Before anything reads the environ, ``X-Forwarded-*`` from a trusted proxy set the scheme, host and
script name links are built from, and anyone else's are dropped (``http.forwarded``); then matrix
parameters (``/api;driver=ec2;provider=...``) leave ``PATH_INFO`` for the environ, where request
selection and parameter validation find them (``http.context.move_matrix``); then, when the app has
them, a poller's GET of an unchanged listing (``http.revalidate``) and a ``GET /api`` whose
answer is kept (``http.entry_answers``) are answered at once. One callable does it all (a layer per
step cost a call and a frame per request each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from deltacloud.http.context import move_matrix
from deltacloud.http.entry_answers import EntryAnswers
from deltacloud.http.forwarded import DEFAULT_ALLOW, apply_forwarded
from deltacloud.http.revalidate import Revalidator


class Front:
    """WSGI middleware: ``apply_forwarded``, ``move_matrix``, the answers before routing if any, then the app."""

    def __init__(self, app: Callable[..., Iterable[bytes]], allow: tuple[str, ...] = DEFAULT_ALLOW,
                 revalidator: Revalidator | None = None, entry: EntryAnswers | None = None) -> None:
        self.app = app
        self.allow = allow
        self.revalidator = revalidator
        self.entry = entry

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        apply_forwarded(environ, self.allow)
        move_matrix(environ)
        answered = None
        if environ.get("REQUEST_METHOD") == "GET":
            if environ.get("PATH_INFO") == "/api":
                answered = self.entry.answer(environ, start_response) if self.entry is not None else None
            elif self.revalidator is not None:
                answered = self.revalidator.answer(environ, start_response)
        return self.app(environ, start_response) if answered is None else answered
