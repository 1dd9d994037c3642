"""XML and JSON writers of storage volumes and snapshots, in the original API's shapes."""

from __future__ import annotations

from typing import Any

from deltacloud.models import StorageSnapshot, StorageVolume
from deltacloud.render import register
from deltacloud.render.context import RenderContext
from deltacloud.render.parts import Action, actions_json, actions_xml, known, number, ref
from deltacloud.render.xmlutil import elem, esc

# -- storage volumes -----------------------------------------------------------------------------

def volume_actions(v: StorageVolume, ctx: RenderContext) -> list[Action]:
    """What can be done with the volume in its state: attach or detach, snapshot, destroy."""
    href = ctx.href("storage_volumes", v.id)
    actions: list[Action] = []
    if v.instance_id:
        if ctx.offers("storage_volumes", "detach"):
            actions.append(("detach", f"{href}/detach", "post"))
    else:
        if ctx.offers("storage_volumes", "attach"):
            actions.append(("attach", f"{href}/attach", "post"))
        if ctx.offers("storage_volumes", "destroy"):
            actions.append(("destroy", href, "delete"))
    if ctx.offers("storage_snapshots", "create"):
        actions.append(("create_snapshot", f"{ctx.href('storage_snapshots')};volume_id={esc(v.id)}", "post"))
    return actions


def volume_xml(v: StorageVolume, ctx: RenderContext) -> str:
    """The XML element of one storage volume."""
    parts = [f"<storage_volume href='{esc(ctx.href('storage_volumes', v.id))}' id='{esc(v.id)}'>"]
    if v.created:
        parts.append(elem("created", v.created))
    parts += [f"<capacity unit='GB'>{esc(v.capacity)}</capacity>", elem("name", v.name or v.id)]
    if v.description:
        parts.append(elem("description", v.description))
    if v.kind:
        parts.append(elem("kind", v.kind))
    if v.device:
        parts.append(elem("device", v.device))
    if v.realm_id:
        parts.append(f"<realm href='{esc(ctx.href('realms', v.realm_id))}' id='{esc(v.realm_id)}'></realm>")
    parts += [elem("realm_id", v.realm_id), elem("state", v.state)]
    if v.snapshot_id:
        parts.append(elem("snapshot_id", v.snapshot_id))
    if v.instance_id:
        device = f"<device name='{esc(v.device)}'></device>" if v.device else ""
        parts.append(f"<mount><instance href='{esc(ctx.href('instances', v.instance_id))}' "
                     f"id='{esc(v.instance_id)}'></instance>{device}</mount>")
    parts.append(actions_xml(volume_actions(v, ctx)))
    parts.append("</storage_volume>")
    return "".join(parts)


def volume_json(v: StorageVolume, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one storage volume."""
    out: dict[str, Any] = {
        "id": v.id, "href": ctx.href("storage_volumes", v.id), "name": v.name or v.id, "description": v.description,
        **known(created=v.created), "state": v.state, "capacity": number(v.capacity), "capacity_unit": "GB",
        "kind": v.kind, "realm_id": v.realm_id,
        "realm": ref(ctx, "realms", v.realm_id, "realm") if v.realm_id else None, "device": v.device,
        "snapshot_id": v.snapshot_id,
        # 1.1 sent an empty object for a volume attached to nothing.
        "instance": ref(ctx, "instances", v.instance_id, "instance") if v.instance_id else {},
        "actions": actions_json(volume_actions(v, ctx)),
    }
    if v.instance_id:
        out["mount"] = {"instance": out["instance"], "device": v.device}
    return out


# -- storage snapshots ---------------------------------------------------------------------------

def snapshot_actions(s: StorageSnapshot, ctx: RenderContext) -> list[Action]:
    """Make a volume from the snapshot, or destroy it."""
    actions: list[Action] = []
    if ctx.offers("storage_volumes", "create"):
        actions.append(("create_volume", f"{ctx.href('storage_volumes')};snapshot_id={esc(s.id)}", "post"))
    if ctx.offers("storage_snapshots", "destroy"):
        actions.append(("destroy", ctx.href("storage_snapshots", s.id), "delete"))
    return actions


def snapshot_xml(s: StorageSnapshot, ctx: RenderContext) -> str:
    """The XML element of one storage snapshot."""
    parts = [f"<storage_snapshot href='{esc(ctx.href('storage_snapshots', s.id))}' id='{esc(s.id)}'>",
             elem("name", s.name or s.id)]
    if s.description:
        parts.append(elem("description", s.description))
    if s.created:
        parts.append(elem("created", s.created))
    parts.append(elem("state", s.state))
    if s.volume_id:
        parts.append(f"<storage_volume href='{esc(ctx.href('storage_volumes', s.volume_id))}' "
                     f"id='{esc(s.volume_id)}'></storage_volume>")
    parts.append(actions_xml(snapshot_actions(s, ctx)))
    parts.append("</storage_snapshot>")
    return "".join(parts)


def snapshot_json(s: StorageSnapshot, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one storage snapshot."""
    return {"id": s.id, "href": ctx.href("storage_snapshots", s.id), "name": s.name or s.id,
            "description": s.description, **known(created=s.created), "state": s.state,
            "storage_volume": ref(ctx, "storage_volumes", s.volume_id, "storage_volume") if s.volume_id else None,
            "actions": actions_json(snapshot_actions(s, ctx))}


register(StorageVolume, xml=volume_xml, json=volume_json)
register(StorageSnapshot, xml=snapshot_xml, json=snapshot_json)
