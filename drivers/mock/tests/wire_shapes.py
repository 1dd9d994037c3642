"""What a recorded answer of the original server has that ours must have too: keys, elements, attributes.

Only presence and the kind of each JSON value are compared (object, list or scalar; a recorded
``null`` accepts anything), never values: ids, hrefs and times differ by nature. List items are
paired by ``id`` (else ``rel``, else ``name``) when they carry one, else by position.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Attributes that pair a recorded element or object with ours, in order of preference.
KEYS = ("id", "rel", "name")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return "scalar"


def _partner(item: Any, position: int, candidates: list[Any]) -> Any:
    """The candidate ``item`` stands for: same id/rel/name, else the one at the same position."""
    if isinstance(item, dict):
        for key in KEYS:
            if key in item:
                return next((c for c in candidates if isinstance(c, dict) and c.get(key) == item[key]),
                            candidates[position] if position < len(candidates) else None)
    return candidates[position] if position < len(candidates) else None


def json_missing(recorded: Any, ours: Any, path: str = "$") -> list[str]:
    """Where ``ours`` lacks a key of ``recorded``, or holds another kind of value there."""
    if recorded is None:
        return []
    if _kind(recorded) != _kind(ours):
        return [f"{path}: {_kind(ours)} where 1.1 sent {_kind(recorded)}"]
    out: list[str] = []
    if isinstance(recorded, dict):
        for key, value in recorded.items():
            if key not in ours:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(json_missing(value, ours[key], f"{path}.{key}"))
    elif isinstance(recorded, list):
        for i, value in enumerate(recorded):
            partner = _partner(value, i, ours)
            if partner is None and value is not None:
                out.append(f"{path}[{i}]: missing")
            else:
                out.extend(json_missing(value, partner, f"{path}[{i}]"))
    return out


def _element_partner(element: Any, position: int, candidates: list[Any]) -> Any:
    for key in KEYS:
        if element.get(key) is not None:
            return next((c for c in candidates if c.get(key) == element.get(key)),
                        candidates[position] if position < len(candidates) else None)
    return candidates[position] if position < len(candidates) else None


def xml_missing(recorded: Any, ours: Any, path: str = "", ignore: Iterable[str] = ()) -> list[str]:
    """Where ``ours`` lacks an element or attribute of ``recorded`` (children named in ``ignore`` aside)."""
    path = path or f"/{recorded.tag}"
    if recorded.tag != ours.tag:
        return [f"{path}: <{ours.tag}> where 1.1 sent <{recorded.tag}>"]
    out = [f"{path}/@{name}: missing" for name in recorded.attrib if name not in ours.attrib]
    ignored = set(ignore)
    seen: dict[str, int] = {}
    for child in recorded:
        if child.tag in ignored:
            continue
        position = seen.get(child.tag, 0)
        seen[child.tag] = position + 1
        partner = _element_partner(child, position, [c for c in ours if c.tag == child.tag])
        if partner is None:
            out.append(f"{path}/{child.tag}[{position}]: missing")
        else:
            out.extend(xml_missing(child, partner, f"{path}/{child.tag}", ignored))
    if len(recorded) == 0 and (recorded.text or "").strip() and not ((ours.text or "").strip() or len(ours)):
        out.append(f"{path}: empty where 1.1 sent text")
    return out
