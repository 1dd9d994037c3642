"""Pieces the writers share: references, action links, quantities, URL prefixes and ids ready for XML."""

from __future__ import annotations

import re

from deltacloud.render.context import RenderContext, quote_id
from deltacloud.render.xmlutil import esc, link

#: An action link: ``(rel, href, method)``.
Action = tuple[str, str, str]


def ref(ctx: RenderContext, collection: str, id: str, rel: str) -> dict[str, str]:
    """A JSON reference to another object."""
    return {"id": id, "href": ctx.href(collection, id), "rel": rel}


#: An id that neither URL quoting nor XML escaping changes (most ids): written as it is, in hrefs and ids.
CLEAN_ID = re.compile(r"[A-Za-z0-9@:.\-_~!$()*+,=]*")


def url_id(id: str) -> tuple[str, str]:
    """``id`` as an href's last segment (quoted for the URL, then escaped) and as an id attribute (escaped)."""
    if CLEAN_ID.fullmatch(id):
        return id, id
    return esc(quote_id(id)), esc(id)


def refs_xml(tag: str, prefix: str, ids: tuple[str, ...], close: str = " />") -> str:
    """``<tag href='<prefix><id>' id='<id>' />`` for each id; ``prefix`` escaped (``XmlPrefixes``), ids as they are."""
    out = ""
    for ref in ids:
        url, id = url_id(ref)
        out += f"<{tag} href='{prefix}{url}' id='{id}'{close}"
    return out


class XmlPrefixes(dict[str, str]):
    """``prefixes[collection]``: a context's ``<base>/<collection>/``, escaped for an XML attribute.

    Kept once per context: ``ctx.derived(XmlPrefixes)``; ``prefixes[collection] + url_id(id)[0]``
    is what ``esc(ctx.href(collection, id))`` would be.
    """

    def __init__(self, ctx: RenderContext) -> None:
        super().__init__()
        self.base = esc(ctx.base)

    def __missing__(self, collection: str) -> str:
        prefix = self[collection] = f"{self.base}/{collection}/"
        return prefix


def auth_type(ctx: RenderContext) -> str | None:
    """How instances of this context log in, as their documents say: ``password``, ``key`` or None (not said)."""
    if "authentication_password" in ctx.feature_names:
        return "password"
    if "authentication_key" in ctx.feature_names:
        return "key"
    return None


def known(**values: str | None) -> dict[str, str]:
    """The entries whose value is known: an unknown time is left out of a JSON object, never written as ''."""
    return {key: value for key, value in values.items() if value}


def number(text: str) -> int | float | str:
    """A quantity as a JSON number when it is one (``"1"`` → ``1``), else the text."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def actions_xml(actions: list[Action]) -> str:
    """``<actions>`` with one link per action; nothing when there is none."""
    return "<actions>" + "".join(link(h, r, m) for r, h, m in actions) + "</actions>" if actions else ""


def actions_json(actions: list[Action]) -> list[dict[str, str]]:
    """The JSON form of action links."""
    return [{"rel": r, "href": h, "method": m} for r, h, m in actions]
