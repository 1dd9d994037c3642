"""Unknown times and images are left out of XML and JSON, never written as empty strings; known ones are shown."""

from __future__ import annotations

import json

import pytest

from deltacloud.models import Blob, Image, Instance, StorageSnapshot, StorageVolume
from deltacloud.render.compute import image_json, image_xml
from deltacloud.render.context import RenderContext
from deltacloud.render.instances import instance_json, instance_xml
from deltacloud.render.objectstore import blob_json, blob_xml
from deltacloud.render.volumes import snapshot_json, snapshot_xml, volume_json, volume_xml

mock = pytest.importorskip("deltacloud_driver_mock", reason="the mock driver is not installed")
WHEN = "2026-11-26T23:00:00Z"


@pytest.fixture
def ctx() -> RenderContext:
    return RenderContext(base="http://127.0.0.1:3001/api", driver_name="mock", driver_class=mock.MockDriver)


def _objects(when: str) -> list[tuple[object, tuple[str, ...]]]:
    """Each object with an unknown (``''``) or known time, and the time keys its documents carry."""
    return [
        (Instance("i1", "one", "me", "img1", "us", "RUNNING", "m1-small", launch_time=when),
         ("launch_time", "create_time")),
        (Image("img1", "Image", creation_time=when), ("creation_time",)),
        (StorageVolume("vol1", 1, "us", "AVAILABLE", created=when), ("created",)),
        (StorageSnapshot("snap1", "vol1", "COMPLETED", created=when), ("created",)),
        (Blob("blob1", "bucket1", 3, "text/plain", last_modified=when), ("last_modified",)),
    ]


WRITERS = {Instance: (instance_xml, instance_json), Image: (image_xml, image_json),
           StorageVolume: (volume_xml, volume_json), StorageSnapshot: (snapshot_xml, snapshot_json),
           Blob: (blob_xml, blob_json)}


def test_unknown_times_are_left_out(ctx: RenderContext) -> None:
    for obj, keys in _objects(""):
        to_xml, to_json = WRITERS[type(obj)]
        doc = to_json(obj, ctx)
        xml = to_xml(obj, ctx)
        for key in keys:
            assert key not in doc, f"{type(obj).__name__} JSON writes an unknown {key}: {json.dumps(doc)[:300]}"
            assert f"<{key}>" not in xml and f"<{key} />" not in xml, f"{type(obj).__name__} XML: {xml[:300]}"
        assert '""' not in json.dumps({k: v for k, v in doc.items() if k in keys})


def test_known_times_are_shown(ctx: RenderContext) -> None:
    for obj, keys in _objects(WHEN):
        to_xml, to_json = WRITERS[type(obj)]
        doc = to_json(obj, ctx)
        for key in keys:
            assert doc[key] == WHEN, f"{type(obj).__name__} JSON {key}: {doc.get(key)!r}"
        assert f"<{keys[0]}>{WHEN}</{keys[0]}>" in to_xml(obj, ctx)


def test_an_unknown_image_is_left_out(ctx: RenderContext) -> None:
    """An instance made outside any image (a libvirt domain) has no image reference, rather than ``images/``."""
    without = Instance("i1", "one", "me", "", "us", "RUNNING", "m1-small")
    assert "image" not in instance_json(without, ctx) and "<image " not in instance_xml(without, ctx)
    with_image = Instance("i1", "one", "me", "img1", "us", "RUNNING", "m1-small")
    assert instance_json(with_image, ctx)["image"]["id"] == "img1"
    assert "<image href='http://127.0.0.1:3001/api/images/img1' id='img1'></image>" in instance_xml(with_image, ctx)
