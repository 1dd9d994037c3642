"""XML and JSON writers of buckets and blobs, in the original server's shapes.

XML: ``<bucket href id><name/><size/>[<location/>]<blob href id/>…</bucket>`` and ``<blob href
id><bucket/><content_length/><content_type/><last_modified/><user_metadata><entry
key='k'><![CDATA[v]]></entry></user_metadata><content href='…/content' rel='blob_content'/></blob>``.
JSON carries the same fields, plus the action links the HTML pages make forms of.
"""

from __future__ import annotations

from typing import Any

from deltacloud.models import Blob, Bucket
from deltacloud.render import register
from deltacloud.render.context import RenderContext, quote_id
from deltacloud.render.parts import known
from deltacloud.render.xmlutil import cdata, elem, esc


def blob_href(ctx: RenderContext, bucket_id: str, blob_id: str, content: bool = False) -> str:
    """The absolute URL of a blob, or of its content."""
    return ctx.href("buckets", bucket_id, quote_id(blob_id) + ("/content" if content else ""))


def bucket_xml(b: Bucket, ctx: RenderContext) -> str:
    """The XML element of one bucket and its blob ids."""
    parts = [f"<bucket href='{esc(ctx.href('buckets', b.id))}' id='{esc(b.id)}'>", elem("name", b.name or b.id),
             elem("size", b.size)]
    if b.location:
        parts.append(elem("location", b.location))
    parts.extend(f"<blob href='{esc(blob_href(ctx, b.id, blob))}' id='{esc(blob)}'></blob>" for blob in b.blob_ids)
    parts.append("</bucket>")
    return "".join(parts)


def _bucket_actions(b: Bucket, ctx: RenderContext) -> list[dict[str, str]]:
    href = ctx.href("buckets", b.id)
    actions = []
    if ctx.offers("buckets", "create_blob"):
        actions.append({"rel": "create_blob", "href": href, "method": "post"})
    if ctx.offers("buckets", "destroy"):
        actions.append({"rel": "destroy", "href": href, "method": "delete"})
    return actions


def bucket_json(b: Bucket, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one bucket and its blob ids."""
    doc: dict[str, Any] = {"id": b.id, "href": ctx.href("buckets", b.id), "name": b.name or b.id, "size": b.size}
    if b.location:
        doc["location"] = b.location
    doc["blob_list"] = [{"id": blob, "href": blob_href(ctx, b.id, blob), "rel": "blob"} for blob in b.blob_ids]
    doc["actions"] = _bucket_actions(b, ctx)
    return doc


def blob_xml(b: Blob, ctx: RenderContext) -> str:
    """The XML element of one blob's attributes and metadata."""
    entries = "".join(f"<entry key='{esc(k)}'>{cdata(v)}</entry>" for k, v in b.user_metadata)
    return (f"<blob href='{esc(blob_href(ctx, b.bucket, b.id))}' id='{esc(b.id)}'>{elem('bucket', b.bucket)}"
            f"{elem('content_length', b.content_length)}{elem('content_type', b.content_type)}"
            f"{elem('last_modified', b.last_modified) if b.last_modified else ''}"
            f"<user_metadata>{entries}</user_metadata>"
            f"<content href='{esc(blob_href(ctx, b.bucket, b.id, content=True))}' rel='blob_content'></content>"
            "</blob>")


def blob_json(b: Blob, ctx: RenderContext) -> dict[str, Any]:
    """The JSON object of one blob's attributes and metadata."""
    href = blob_href(ctx, b.bucket, b.id)
    destroy = ctx.offers("buckets", "destroy_blob")
    actions = [{"rel": "destroy_blob", "href": href, "method": "delete"}] if destroy else []
    # 1.1: the bucket as a link object; "content" was the blob's text in its mock, which a JSON document
    # cannot carry for blobs of any size, so it is the address of the content (still a string).
    content_href = blob_href(ctx, b.bucket, b.id, content=True)
    return {"id": b.id, "href": href,
            "bucket": {"rel": "bucket", "href": ctx.href("buckets", b.bucket), "id": b.bucket},
            "content_length": b.content_length, "content_type": b.content_type, **known(last_modified=b.last_modified),
            "user_metadata": dict(b.user_metadata), "content": content_href,
            "content_link": {"href": content_href, "rel": "blob_content"}, "actions": actions}


register(Bucket, xml=bucket_xml, json=bucket_json)
register(Blob, xml=blob_xml, json=blob_json)
