"""Lazy listings (``http.calls``): a driver's generator is read a batch at a time as the server writes it.

The fixture driver (``fixtures/lazy_driver.py``) makes its instances one at a time. Its listing
must be the very bytes of the same instances returned as a list, in XML and JSON, with the
fragment cache on and off; with the cache off the server must never be more than one batch ahead
of what it has written (with it on, the whole listing is read first: kept fragments are compared
listing by listing). An error raised while the listing is read is translated as any other driver
error, and the time spent reading counts as backend time.
"""

from __future__ import annotations

import base64
import json
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from deltacloud.config import ServerConfig
from deltacloud.http import calls
from deltacloud.http.app import create_app
from deltacloud.models import Instance
from deltacloud.render import JSON_TEXT_WRITERS, XML_WRITERS
from deltacloud.render.fragments import FRAGMENTS
from deltacloud.testing import installed_entry_point

FIXTURES = Path(__file__).parent / "fixtures"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"u:p").decode()}
#: Several batches and a part of one.
COUNT = 3 * calls.BATCH + 17


@pytest.fixture
def lazy(tmp_path: Path) -> Iterator[tuple[Any, falcon.testing.TestClient]]:
    """The lazy driver's module (its settings) and a client of an app serving it."""
    for name in ("tiny_driver.py", "lazy_driver.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    with installed_entry_point(tmp_path, "lazy", "lazy_driver:LazyDriver"):
        import lazy_driver

        lazy_driver.SETTINGS.clear()
        lazy_driver.SETTINGS["count"] = COUNT
        yield lazy_driver, falcon.testing.TestClient(create_app(ServerConfig(driver="lazy")))
    sys.modules.pop("tiny_driver", None)


@pytest.fixture(params=["cache on", "cache off"])
def cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """The fragment cache on (the default server) or off (``DELTACLOUD_CACHE=off``)."""
    enabled = request.param == "cache on"
    monkeypatch.setattr(FRAGMENTS, "enabled", enabled)
    FRAGMENTS.clear()
    return enabled


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_lazy_listing_is_the_same_document_as_the_list(lazy, cache: bool, fmt: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    module, client = lazy
    table = XML_WRITERS if fmt == "xml" else JSON_TEXT_WRITERS
    write = table[Instance]
    ahead: list[int] = []  # at each object written: how many the driver had made and the server not written yet

    def counting(item: Any, ctx: Any) -> Any:
        ahead.append(module.PRODUCED[0] - len(ahead))
        return write(item, ctx)

    monkeypatch.setitem(table, Instance, counting)
    lazily = client.simulate_get("/api/instances", params={"format": fmt}, headers=AUTH)
    assert lazily.status_code == 200 and len(ahead) == COUNT
    if cache:  # kept fragments are compared listing by listing: the whole listing is read before it is written
        assert ahead[0] == COUNT
    else:
        assert max(ahead) <= calls.BATCH and ahead[0] == calls.BATCH
    module.SETTINGS["as_list"] = True
    FRAGMENTS.clear()
    listed = client.simulate_get("/api/instances", params={"format": fmt}, headers=AUTH)
    assert listed.status_code == 200 and lazily.content == listed.content
    assert lazily.headers["ETag"] == listed.headers["ETag"]
    if fmt == "xml":
        ids = [node.get("id") for node in ET.fromstring(lazily.content)]
    else:
        ids = [item["id"] for item in json.loads(lazily.content)["instances"]]
    assert ids == [f"vm{n}" for n in range(COUNT)]


def test_an_empty_lazy_listing(lazy, cache: bool) -> None:
    module, client = lazy
    module.SETTINGS["count"] = 0
    xml = client.simulate_get("/api/instances", headers=AUTH)
    assert xml.status_code == 200 and ET.fromstring(xml.content).tag == "instances"
    assert len(ET.fromstring(xml.content)) == 0
    assert client.simulate_get("/api/instances", params={"format": "json"}, headers=AUTH).json == {"instances": []}
    page = client.simulate_get("/api/instances", params={"format": "html"}, headers=AUTH)
    assert page.status_code == 200 and "<p>0 in all" in page.text


def test_a_lazy_listing_filtered_by_the_core(lazy, cache: bool) -> None:
    _, client = lazy
    found = client.simulate_get("/api/instances", params={"state": "stopped", "format": "json"}, headers=AUTH)
    assert found.status_code == 200
    assert [i["id"] for i in found.json["instances"]] == [f"vm{n}" for n in range(0, COUNT, 3)]


def test_a_lazy_listing_as_an_html_page(lazy, cache: bool) -> None:
    _, client = lazy
    page = client.simulate_get("/api/instances", params={"format": "html"}, headers=AUTH)
    assert page.status_code == 200 and f"<p>{COUNT} in all, page 1 of " in page.text
    assert "/api/instances/vm0" in page.text


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_error_while_a_lazy_listing_is_read_is_translated(lazy, cache: bool, fmt: str) -> None:
    module, client = lazy
    module.SETTINGS["fail_after"] = calls.BATCH + 5  # after a batch was written
    failed = client.simulate_get("/api/instances", params={"format": fmt}, headers=AUTH)
    assert failed.status_code == 502
    if fmt == "xml":
        root = ET.fromstring(failed.content)
        assert root.tag == "error" and root.get("status") == "502"
        assert "the cloud hiccuped: connection lost" in root.findtext("message", "")
    else:
        assert failed.json["code"] == 502 and "connection lost" in failed.json["message"]
    assert b"vm0" not in failed.content  # nothing of the listing went out


def test_an_untranslated_error_while_a_lazy_listing_is_read_is_a_plain_500(lazy, cache: bool) -> None:
    module, client = lazy
    module.SETTINGS.update(fail_after=calls.BATCH * 2, untranslated=True)
    failed = client.simulate_get("/api/instances", headers=AUTH)
    root = ET.fromstring(failed.content)
    assert failed.status_code == 500 and root.get("status") == "500"
    assert "something broke" not in failed.text and "Traceback" not in failed.text


def test_a_core_error_while_a_lazy_listing_is_read_is_not_translated(lazy, cache: bool) -> None:
    module, client = lazy
    module.SETTINGS.update(fail_after=calls.BATCH + 1, missing=True)  # the driver would make any error a 502
    failed = client.simulate_get("/api/instances", headers=AUTH)
    assert failed.status_code == 404 and "the cloud lost an instance" in failed.text


def test_reading_a_lazy_listing_counts_as_backend_time(lazy, cache: bool) -> None:
    module, client = lazy
    module.SETTINGS["pause"] = 0.05  # slept once while the listing is read, after it was handed over
    answer = client.simulate_get("/api/instances", headers=AUTH)
    timing = dict(part.strip().split(";dur=") for part in answer.headers["Server-Timing"].split(","))
    assert answer.status_code == 200 and float(timing["backend"]) >= 50
