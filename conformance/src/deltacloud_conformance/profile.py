"""Profiles: what the kit certifies. ``strict`` (the default) is our server's behaviour; ``1.1`` is the API
Deltacloud 1.1 promised, so that the original server (and any server written against 1.1) can be certified.

A test that checks one of our decisions (``design.md`` section 9) carries ``@pytest.mark.dc_decision(NAME)``;
one that checks one of our extensions carries ``@pytest.mark.dc_extension(NAME)``. ``CHOICES`` says, for
each name, why it differs from 1.1 and what the 1.1 profile does with it: ``deselect`` the test (a pure
decision or extension) or ``loosen`` it to what 1.1 promised (the test asks ``loosened(NAME)``).
The run's summary lists what the profile deselected and loosened, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PROFILES = ("strict", "1.1")
DEFAULT = "strict"


@dataclass(frozen=True)
class Choice:
    """One of our decisions or extensions: why it is ours, and what the 1.1 profile does with its tests."""

    kind: Literal["decision", "extension"]
    why: str
    in_11: Literal["deselect", "loosen"]
    loosened_to: str = ""


CHOICES: dict[str, Choice] = {
    "conditional-get": Choice("extension", "304 Not Modified on If-None-Match (1.1 sent ETags, never a 304)",
                              "deselect"),
    "quoted-etag": Choice("decision", "ETags are quoted strong validators (RFC 9110); 1.1 sent an unquoted MD5",
                          "loosen", "an unquoted ETag is accepted"),
    "star-accept-xml": Choice("decision", "Accept */* (or none) gives XML; 1.1 gave its HTML UI", "loosen",
                              "*/* and no Accept may give HTML"),
    "error-documents": Choice("decision", "every error is a document in the negotiated format; 1.1 answered a "
                              "missing parameter, ?force_auth and unknown routes in plain text or HTML", "loosen",
                              "the status only where 1.1 sent no error document"),
    "missing-instance-404": Choice("decision", "an action on a missing instance is 404 (1.1: 403)", "loosen",
                                   "403 or 404"),
    "unsupported-405": Choice("decision", "an operation a collection lacks is 405 with Allow (1.1: 412, or 404)",
                              "loosen", "404, 405 or 412, Allow not required"),
    "validated-overrides": Choice("decision", "hwp_* overrides and profile ids are validated with a 400 (1.1 "
                                  "accepted any value)", "deselect"),
    "warning-header": Choice("extension", "ignored parameters are named in a Warning header", "loosen",
                             "unknown parameters ignored, no Warning header required"),
    "json-request-bodies": Choice("extension", "JSON request bodies are read like forms", "deselect"),
    "rich-json-properties": Choice("extension", "hardware-profile property_details in JSON (kind, unit, range, "
                                   "enum)", "loosen", "only 1.1's property values are compared"),
    "bucket-conflict-409": Choice("decision", "deleting a bucket that is not empty is 409 (1.1 documented 403)",
                                  "loosen", "403 or 409"),
    "snapshot-state": Choice("decision", "snapshots carry a state (1.1's mock wrote none)", "loosen",
                             "a snapshot without state is complete"),
    "destroy-link": Choice("decision", "every destroyable object offers a destroy link (1.1's mock gave volumes "
                           "none)", "loosen", "destroy by DELETE on the object's address when it offers no link"),
    "unknown-driver-400": Choice("decision", "an unknown driver is a 400 naming the installed ones (1.1: 500)",
                                 "deselect"),
    "driver-json-links": Choice("extension", "each driver in the JSON /api/drivers has its id and href (1.1 "
                                "sent only the name, keyed by id)", "loosen", "hrefs compared only where JSON has one"),
    "openapi": Choice("extension", "/api/openapi.json describes the API as OpenAPI 3.1", "deselect"),
}

#: Faults of the original 1.1.3 server by its own documentation: named in the failures they cause.
KNOWN_11_FAULTS = {
    "unknown-references": "1.1.3's mock launches instances of unknown images and realms, although its "
                          "documentation promises a 400",
    "metric-id": "1.1.3's mock ignores the metric id and answers the first instance's metrics",
    "blob-download": "1.1.3 fails blob content downloads",
    "volume-actions": "1.1.3's mock gives storage volumes no action links",
    "bucket-500": "1.1.3 answers 500 deleting a bucket that is not empty, where its documentation says 403",
}

_current = [DEFAULT]


def select(name: str) -> None:
    """Make ``name`` the profile of this run (the plugin does it from ``--deltacloud-profile``)."""
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}: choose one of {', '.join(PROFILES)}")
    _current[0] = name


def current() -> str:
    """The profile of this run."""
    return _current[0]


def loosened(choice: str) -> bool:
    """Whether the test of ``choice`` checks only what 1.1 promised (profile 1.1)."""
    if choice not in CHOICES:
        raise KeyError(f"no decision or extension called {choice!r}")
    return current() == "1.1" and CHOICES[choice].in_11 == "loosen"


def fault(name: str) -> str:
    """A hint naming the original server's own fault, added to a failure under profile 1.1 (else empty)."""
    return f" [{KNOWN_11_FAULTS[name]}]" if current() == "1.1" else ""


def deselected_by(markers: list[tuple[str, str]]) -> tuple[str, Choice] | None:
    """The first ``(marker, name)`` of a test that profile 1.1 deselects, with its choice; None to keep it."""
    if current() != "1.1":
        return None
    for _marker, name in markers:
        choice = CHOICES.get(name)
        if choice is not None and choice.in_11 == "deselect":
            return name, choice
    return None
