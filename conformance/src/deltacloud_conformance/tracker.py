"""Everything the suite creates in a cloud is recorded here and destroyed at teardown, pass or fail.

Tests register what a 201 answer created (``track_created``) before asserting anything about
it, so a failed assertion cannot leak the resource. What the cloud made on a test's behalf (a
volume from a launch's snapshot) is tracked too, naming the instance it was made for (see
``dependents``). Teardown destroys in reverse order of creation, destroys right after an item
what its destruction revealed, retries once what failed (a volume may only go once its
instance is gone), and fails the test, naming each leaked resource, when something could not
be destroyed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from deltacloud_conformance.client import ApiResponse, DeltacloudApi
from deltacloud_conformance.documents import SINGULAR

Destroyer = Callable[[str], None]


@dataclass
class Tracked:
    """One resource the suite created: its collection, id and how to destroy it."""

    collection: str
    id: str
    destroy: Destroyer | None = None
    made_for: str = ""  # set for what the cloud made on a test's behalf: the resource it was made for

    def __str__(self) -> str:
        if self.made_for:
            return f"{self.collection}/{self.id} (made by the cloud for {self.made_for})"
        return f"{self.collection}/{self.id}"


def created_ids(response: ApiResponse, collection: str) -> list[str]:
    """The ids a create answer describes: one item, or a list (``instance_count``); [] if unreadable."""
    try:
        if response.content_type == "application/json":
            doc = response.json()
            if isinstance(doc, dict):
                if isinstance(doc.get(collection), list):
                    return [str(item.get("id")) for item in doc[collection] if isinstance(item, dict)]
                item = doc.get(SINGULAR.get(collection, collection), doc)
                return [str(item["id"])] if isinstance(item, dict) and "id" in item else []
            return []
        root = response.xml()
    except AssertionError:
        return []
    if root.tag == collection:
        return [child.get("id") for child in root if child.get("id")]
    return [root.get("id")] if root.get("id") else []


class Tracker:
    """Resources created during one test, destroyed at its teardown."""

    def __init__(self, api: DeltacloudApi, destroyers: dict[str, Destroyer] | None = None) -> None:
        self.api = api
        self.destroyers: dict[str, Destroyer] = dict(destroyers or {})
        self.items: list[Tracked] = []

    def track(self, collection: str, id: str, destroy: Destroyer | None = None, made_for: str = "") -> Tracked:
        """Remember ``collection/id`` for destruction at teardown (``destroy`` overrides the default).

        ``made_for`` names the resource the cloud made this one for, when the test did not create it itself.
        """
        item = Tracked(collection, id, destroy, made_for)
        self.items.append(item)
        return item

    def track_created(self, response: ApiResponse, collection: str) -> list[str]:
        """Track whatever a 201 (or 200) create answer made; its ids (none for an error answer)."""
        if response.status not in (200, 201):
            return []
        found = created_ids(response, collection)
        for id in found:
            self.track(collection, id)
        if not found and response.status == 201:
            location = response.header("location") or ""
            if location:
                self.track(collection, location.rstrip("/").rsplit("/", 1)[-1])
        return found

    def forget(self, collection: str, id: str) -> None:
        """Stop tracking something a test destroyed itself."""
        self.items = [i for i in self.items if not (i.collection == collection and i.id == id)]

    def _destroy(self, item: Tracked) -> None:
        destroy = item.destroy or self.destroyers.get(item.collection) or self._delete(item.collection)
        destroy(item.id)

    def _delete(self, collection: str) -> Destroyer:
        def delete(id: str) -> None:
            response = self.api.delete(f"/{collection}/{id}")
            assert response.status in (200, 202, 204, 404), f"cannot destroy {collection}/{id}: {response.describe()}"

        return delete

    def cleanup(self, passes: int = 2, pause: float = 0.2) -> list[str]:
        """Destroy everything tracked, newest first; the problems of what could not be destroyed."""
        # Newest first; what the cloud made for something goes after it (a volume outlives its instance).
        pending = sorted(reversed(self.items), key=lambda item: bool(item.made_for))
        seen = {id(item) for item in pending}
        problems: dict[str, str] = {}
        for attempt in range(passes):
            failed = []
            while pending:
                item = pending.pop(0)
                try:
                    self._destroy(item)
                except Exception as exc:  # one stuck resource must not keep the others alive
                    problems[str(item)] = f"{type(exc).__name__}: {exc}"
                    failed.append(item)
                else:
                    problems.pop(str(item), None)
                revealed = [i for i in self.items if id(i) not in seen]  # what the cloud made for ``item``
                seen.update(id(i) for i in revealed)
                pending[:0] = revealed
            pending = failed
            if not pending:
                break
            if attempt + 1 < passes:
                time.sleep(pause)
        self.items = list(reversed(pending))
        return [f"{name}: {why}" for name, why in problems.items()]
