"""What the optional collections' tests share: listing checks, creation with tracking, action links, waits.

Not a test module: the classes here are bases (their names do not start with ``Test``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from deltacloud_conformance import profile
from deltacloud_conformance.client import ApiResponse, DeltacloudApi
from deltacloud_conformance.documents import SINGULAR, items_of, json_items, xml_actions
from deltacloud_conformance.lifecycle import Settings, poll
from deltacloud_conformance.requirements import skip_unless_allowed
from deltacloud_conformance.suite.test_collections import check_items, compare_formats
from deltacloud_conformance.tracker import Tracker

#: Most items of an optional collection shown one by one.
MAX_SHOWN = 10


def allow(api: DeltacloudApi, target: str) -> str | None:
    """The ``Allow`` header ``OPTIONS target`` answers."""
    return api.request("OPTIONS", target).header("allow")


def create(api: DeltacloudApi, tracker: Tracker, collection: str, params: Mapping[str, Any]) -> Any:
    """POST a new object (skipping when the server does not allow POST), tracked; its element after a 201."""
    __tracebackhide__ = True
    skip_unless_allowed(allow(api, f"/{collection}"), "POST", f"/api/{collection}")
    response = api.post(f"/{collection}", data=params)
    tracker.track_created(response, collection)
    root = response.expect(201).xml()
    assert root.tag == SINGULAR[collection], f"create answered <{root.tag}>: {response.describe()}"
    assert response.header("location") == root.get("href"), (
        f"Location {response.header('location')!r} is not the new object's href {root.get('href')!r}")
    return root


def action_link(element: Any, rel: str) -> tuple[str, str] | None:
    """``(method, href)`` of an object's action ``rel``, or None."""
    return xml_actions(element).get(rel)


def act(api: DeltacloudApi, element: Any, rel: str, **params: str) -> ApiResponse:
    """Follow the action link ``rel`` of ``element`` (asserting it is offered) with ``params``."""
    __tracebackhide__ = True
    found = action_link(element, rel)
    if not found and rel == "destroy" and profile.loosened("destroy-link"):
        found = ("delete", element.get("href"))  # 1.1's mock gave some objects no destroy link
    assert found, f"{element.tag} {element.get('id')} offers no {rel!r} action: {sorted(xml_actions(element))}"
    method, href = found
    return api.request(method.upper(), href, data=params or None)


def wait_for(api: DeltacloudApi, href: str, settings: Settings, what: str, check: Any) -> Any:
    """Poll ``href`` until ``check(element)`` holds; the element."""
    __tracebackhide__ = True

    def probe() -> Any:
        element = api.get(href).expect(200).xml()
        return element if check(element) else None

    return poll(probe, settings, what)


def undoing_destroyer(api: DeltacloudApi, settings: Settings, collection: str, undo: str,
                      undone: Callable[[Any], bool], what: str) -> Callable[[str], None]:
    """A tracker destroyer that first takes the object's ``undo`` action (detach, disassociate) when it offers it.

    After the undo it waits until ``undone`` holds for the object (``what`` names that in a timeout), then
    deletes it; an object already gone is fine.
    """

    def destroy(id: str) -> None:
        response = api.get(f"/{collection}/{id}")
        if response.status == 404:
            return
        element = response.expect(200).xml()
        if action_link(element, undo):
            act(api, element, undo).expect(200, 202)
            wait_for(api, element.get("href"), settings, f"{id} to be {what}", undone)
        api.delete(f"/{collection}/{id}").expect(204, 404)

    return destroy


def state(element: Any) -> str:
    """An object's ``<state>``, upper case."""
    return (element.findtext("state") or "").strip().upper()


def gone(api: DeltacloudApi, href: str, settings: Settings) -> None:
    """Wait until ``href`` answers 404."""
    __tracebackhide__ = True
    poll(lambda: api.get(href).status == 404, settings, f"{href} to be gone")


class OptionalCollectionChecks:
    """List, show, XML and JSON agree, 404: what every optional collection passes (gated by a subclass)."""

    collection: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ("name",)
    named: ClassVar[bool] = True

    def test_list_show_and_formats(self, dc_api: DeltacloudApi) -> None:
        items = items_of(dc_api.xml(f"/{self.collection}"), self.collection)
        check_items(dc_api, self.collection, items, self.required, self.named)
        for item in items[:MAX_SHOWN]:
            shown = dc_api.get(item.get("href")).expect(200).xml()
            assert (shown.tag, shown.get("id")) == (SINGULAR[self.collection], item.get("id"))
        compare_formats(self.collection, items, json_items(dc_api.json(f"/{self.collection}"), self.collection))

    def test_unknown_id_is_404(self, dc_api: DeltacloudApi) -> None:
        root = dc_api.get(f"/{self.collection}/dcconf-no-such-id").expect(404).xml()
        assert root.tag == "error" and root.get("status") == "404"
