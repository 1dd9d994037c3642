"""Content negotiation: ``?format=`` first, then ``Accept``; no Accept and ``*/*`` mean XML."""

from __future__ import annotations

import functools

from deltacloud.errors import NotAcceptableError

#: Formats and their exact response content types.
CONTENT_TYPES: dict[str, str] = {"xml": "application/xml", "json": "application/json", "html": "text/html"}
_MEDIA: dict[str, str] = {
    "application/xml": "xml", "text/xml": "xml", "application/json": "json",
    "text/html": "html", "application/xhtml+xml": "html",
}


def choose_format(format_param: str | None, accept: str | None) -> str:
    """The format to answer in; ``NotAcceptableError`` (406) when none of the client's types can be made."""
    if format_param:
        fmt = format_param.lower()
        if fmt not in CONTENT_TYPES:
            raise NotAcceptableError(f"Unknown format '{format_param[:20]}'; use xml, json or html")
        return fmt
    if not accept or not accept.strip():
        return "xml"
    return _from_accept(accept.strip())


@functools.lru_cache(maxsize=256)
def _from_accept(accept: str) -> str:
    candidates: list[tuple[float, int, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media in _MEDIA:
            fmt, explicit = _MEDIA[media], 1
        elif media in ("*/*", "application/*"):
            fmt, explicit = "xml", 0
        elif media == "text/*":
            fmt, explicit = "html", 0
        else:
            continue
        if quality > 0:
            # Higher quality wins; at equal quality an explicit type beats a wildcard, then the earlier one.
            candidates.append((quality, explicit, -position, fmt))
    if not candidates:
        raise NotAcceptableError("None of the accepted media types can be produced; "
                                 "use application/xml, application/json or text/html")
    return max(candidates)[3]
