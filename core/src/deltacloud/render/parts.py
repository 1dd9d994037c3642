"""Pieces the writers of the optional collections share: references, action links, quantities."""

from __future__ import annotations

from deltacloud.render.context import RenderContext
from deltacloud.render.xmlutil import link

#: An action link: ``(rel, href, method)``.
Action = tuple[str, str, str]


def ref(ctx: RenderContext, collection: str, id: str, rel: str) -> dict[str, str]:
    """A JSON reference to another object."""
    return {"id": id, "href": ctx.href(collection, id), "rel": rel}


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
