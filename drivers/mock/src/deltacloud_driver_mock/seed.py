"""The mock's seed data, shipped as ``seed.json`` and loaded into a new store."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

#: The ``format`` value ``seed.json`` must carry.
SEED_FORMAT = "deltacloud-mock-seed/1"


@cache
def seed_documents() -> dict[str, list[dict[str, Any]]]:
    """The seed documents by kind (``images``, ``instances``, ``keys``, ``storage_volumes``…).

    Documents owned by a user carry ``owner_id``, which the store copies into its owner column.
    """
    text = resources.files(__package__).joinpath("seed.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if data.get("format") != SEED_FORMAT:
        raise ValueError(f"seed.json has format {data.get('format')!r}, expected {SEED_FORMAT!r}")
    return data["documents"]
