"""A driver's instance state machine drawn as SVG: states in a row, actions as labelled arrows."""

from __future__ import annotations

from deltacloud.driver.statemachine import StateMachine
from deltacloud.render.xmlutil import esc

_BOX_W, _BOX_H, _GAP, _MARGIN = 120, 36, 70, 20


def state_machine_svg(machine: StateMachine, *, standalone: bool = True) -> str:
    """The machine as one SVG document (``standalone``) or an inline ``<svg>`` element for an HTML page.

    States sit left to right in the order of first reach from ``start``; a transition to a later
    state arcs above the row, one to an earlier state (or itself) below, each labelled with its action
    (``auto`` when the cloud moves by itself).
    """
    order = _order(machine)
    x_of = {s: _MARGIN + i * (_BOX_W + _GAP) for i, s in enumerate(order)}
    arcs = [t for t in machine.transitions if t.source in x_of and t.target in x_of]
    spans = [abs(order.index(t.target) - order.index(t.source)) for t in arcs] or [1]
    lift = 40 + 28 * max(spans)
    top = _MARGIN + lift
    width = _MARGIN * 2 + len(order) * _BOX_W + max(len(order) - 1, 0) * _GAP
    height = top + _BOX_H + lift + _MARGIN
    out = []
    if standalone:
        out.append("<?xml version='1.0' encoding='utf-8' ?>\n")
    out.append(f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
               f"height='{height}' role='img' aria-labelledby='sm-title' class='state-machine' "
               "font-family='sans-serif' font-size='12'>")
    out.append("<title id='sm-title'>Instance states and the actions that move between them</title>")
    out.append("<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' markerHeight='7' "
               "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#333'/></marker></defs>")
    seen: dict[tuple[str, str, bool], int] = {}
    for t in arcs:
        out.append(_arc(t.source, t.target, t.action or "auto", x_of, order, top, seen))
    for state in order:
        x = x_of[state]
        out.append(f"<g class='state' id='state-{esc(state)}'><rect x='{x}' y='{top}' width='{_BOX_W}' "
                   f"height='{_BOX_H}' rx='8' fill='#eef4ff' stroke='#345'/>"
                   f"<text x='{x + _BOX_W // 2}' y='{top + _BOX_H // 2 + 4}' text-anchor='middle' "
                   f"font-weight='bold'>{esc(state.upper())}</text></g>")
    out.append("</svg>")
    return "".join(out)


def _order(machine: StateMachine) -> list[str]:
    """States breadth first from ``start``, then any left over in the machine's own order."""
    order: list[str] = []
    queue = ["start"] if "start" in machine.states else list(machine.states[:1])
    while queue:
        state = queue.pop(0)
        if state in order:
            continue
        order.append(state)
        queue.extend(t.target for t in machine.transitions_from(state) if t.target not in order)
    order.extend(s for s in machine.states if s not in order)
    return order


def _arc(source: str, target: str, label: str, x_of: dict[str, int], order: list[str], top: int,
         seen: dict[tuple[str, str, bool], int]) -> str:
    forward = order.index(target) > order.index(source)
    span = max(abs(order.index(target) - order.index(source)), 1)
    key = (min(source, target), max(source, target), forward)
    nth = seen.get(key, 0)
    seen[key] = nth + 1
    x1 = x_of[source] + _BOX_W // 2 + (12 if forward else -12)
    x2 = x_of[target] + _BOX_W // 2 + (-12 if forward else 12)
    if source == target:
        x1, x2 = x_of[source] + _BOX_W // 2 - 20, x_of[source] + _BOX_W // 2 + 20
    y = top if forward else top + _BOX_H
    bend = (40 + 28 * span + 14 * nth) * (-1 if forward else 1)
    mid_x, mid_y = (x1 + x2) // 2, y + bend
    label_y = y + bend // 2 + (-6 if forward else 14)  # beside the curve's apex (half the bend)
    return (f"<g class='transition'><path d='M{x1},{y} Q{mid_x},{mid_y} {x2},{y}' fill='none' stroke='#333' "
            f"marker-end='url(#arrow)'/><text x='{mid_x}' y='{label_y}' text-anchor='middle' "
            f"fill='#123'>{esc(label)}</text></g>")
