"""Small helpers to write XML text straight from models, in one pass."""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;"})


def esc(value: object) -> str:
    """Escape text or an attribute value (attributes are single-quoted)."""
    return str(value).translate(_ESCAPES)


def cdata(value: object) -> str:
    """Wrap text in CDATA, splitting any ``]]>`` it contains."""
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def attrs(**values: object) -> str:
    """`` key='value'`` pairs for the non-empty values, in the order given."""
    return "".join(f" {k}='{esc(v)}'" for k, v in values.items() if v is not None and v != "")


def elem(tag: str, text: object) -> str:
    """``<tag>text</tag>``, escaped."""
    return f"<{tag}>{esc(text)}</{tag}>"


def link(href: str, rel: str, method: str = "post") -> str:
    """An action link as the original API wrote them."""
    return f"<link href='{esc(href)}' method='{method}' rel='{esc(rel)}' />"
