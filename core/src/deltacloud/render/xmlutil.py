"""Small helpers to write XML text straight from models, in one pass."""

from __future__ import annotations

import re

#: Characters XML 1.0 cannot carry in any form (not even as references): C0 controls other than
#: tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. Whatever a cloud returns, they are written
#: as U+FFFD, so every document stays well-formed.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&apos;", '"': "&quot;"})
#: Any character ``esc`` would change: text without one is returned as it is (most ids, states, URLs).
_NEEDS_WORK = re.compile("[&<>'\"\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry: forbidden characters replaced by U+FFFD."""
    text = str(value)
    return _FORBIDDEN.sub("\ufffd", text) if _FORBIDDEN.search(text) else text


def esc(value: object) -> str:
    """Escape text or an attribute value (attributes are single-quoted); never a character XML forbids."""
    if type(value) is str and not _NEEDS_WORK.search(value):
        return value
    return xml_text(value).translate(_ESCAPES)


def esc_all(values: tuple[object, ...]) -> tuple[object, ...]:
    """``esc`` of each value, as a tuple; ``values`` itself when they are all text that needs nothing (one search)."""
    try:
        if not _NEEDS_WORK.search("\n".join(values)):  # type: ignore[arg-type]
            return values
    except TypeError:  # a value that is not text: each escaped on its own
        pass
    return tuple(map(esc, values))


def cdata(value: object) -> str:
    """Wrap text in CDATA, splitting any ``]]>`` it contains; never a character XML forbids."""
    return "<![CDATA[" + xml_text(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def attrs(**values: object) -> str:
    """`` key='value'`` pairs for the non-empty values, in the order given."""
    return "".join(f" {k}='{esc(v)}'" for k, v in values.items() if v is not None and v != "")


def elem(tag: str, text: object) -> str:
    """``<tag>text</tag>``, escaped."""
    return f"<{tag}>{esc(text)}</{tag}>"


def link(href: str, rel: str, method: str = "post") -> str:
    """An action link as the original API wrote them."""
    return f"<link href='{esc(href)}' method='{method}' rel='{esc(rel)}' />"
