"""Buckets and blobs, and metrics, when advertised: the object store round trip and the instances' measures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deltacloud_conformance import profile as dc_profile
from deltacloud_conformance.client import DeltacloudApi
from deltacloud_conformance.documents import items_of
from deltacloud_conformance.lifecycle import Settings
from deltacloud_conformance.requirements import requires_collection
from deltacloud_conformance.suite.common import OptionalCollectionChecks, create, gone
from deltacloud_conformance.tracker import Tracker

__all__ = ["TestBuckets", "TestMetrics"]

CONTENT = b"dcconf blob content\n" * 64
META = "X-Deltacloud-Blobmeta-"


def _blob_destroyer(api: DeltacloudApi) -> Callable[[str], None]:
    def destroy(path: str) -> None:
        api.delete(f"/buckets/{path}").expect(204, 404)

    return destroy


@requires_collection("buckets")
class TestBuckets(OptionalCollectionChecks):
    """``/api/buckets``: containers of blobs, blobs with content and user metadata."""

    area = "buckets and blobs"
    collection = "buckets"
    required = ("name",)

    def _bucket(self, api: DeltacloudApi, tracker: Tracker, name: str) -> Any:
        bucket = create(api, tracker, "buckets", {"name": name})
        assert (bucket.findtext("name") or "").strip() == name, f"asked for bucket {name!r}"
        return bucket

    def _put(self, api: DeltacloudApi, tracker: Tracker, bucket: str, blob: str, **meta: str) -> None:
        tracker.destroyers.setdefault("blobs", _blob_destroyer(api))
        response = api.request("PUT", f"/buckets/{bucket}/{blob}", body=CONTENT,
                               headers={"Content-Type": "text/plain", **{META + k: v for k, v in meta.items()}})
        if response.status in (200, 201):
            tracker.track("blobs", f"{bucket}/{blob}")
        response.expect(200)

    def test_blob_round_trip(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_settings: Settings,
                             dc_unique: Callable[[str], str]) -> None:
        bucket = self._bucket(dc_api, dc_tracker, dc_unique("bkt")).get("id")
        self._put(dc_api, dc_tracker, bucket, "greeting.txt", colour="blue")
        listed = [b.get("id") for b in dc_api.xml(f"/buckets/{bucket}").findall("blob")]
        assert listed == ["greeting.txt"], f"the bucket lists {listed}"
        blob = dc_api.xml(f"/buckets/{bucket}/greeting.txt")
        assert blob.tag == "blob" and (blob.findtext("content_length") or "").strip() == str(len(CONTENT))
        assert (blob.findtext("content_type") or "").startswith("text/plain")
        content = dc_api.get(f"/buckets/{bucket}/greeting.txt/content")
        assert content.status == 200, f"downloading a blob: {content.describe()}{dc_profile.fault('blob-download')}"
        assert content.content == CONTENT, f"the blob's content came back different{dc_profile.fault('blob-download')}"
        head = dc_api.request("HEAD", f"/buckets/{bucket}/greeting.txt").expect(204)
        assert head.header(f"{META}colour") == "blue", f"HEAD shows metadata {dict(head.headers)}"
        dc_api.post(f"/buckets/{bucket}/greeting.txt", headers={f"{META}colour": "green"}).expect(204)
        again = dc_api.request("HEAD", f"/buckets/{bucket}/greeting.txt").expect(204)
        assert again.header(f"{META}colour") == "green", "updated metadata is not shown"

    @pytest.mark.dc_decision("bucket-conflict-409")
    def test_bucket_not_empty_is_409(self, dc_api: DeltacloudApi, dc_tracker: Tracker, dc_settings: Settings,
                                     dc_unique: Callable[[str], str]) -> None:
        bucket = self._bucket(dc_api, dc_tracker, dc_unique("bkt"))
        id = bucket.get("id")
        self._put(dc_api, dc_tracker, id, "keep.txt")
        refused = dc_api.delete(f"/buckets/{id}")
        statuses = (403, 409) if dc_profile.loosened("bucket-conflict-409") else (409,)
        assert refused.status in statuses, (
            f"deleting a bucket that is not empty: {refused.describe()}{dc_profile.fault('bucket-500')}")
        dc_api.delete(f"/buckets/{id}/keep.txt").expect(204)
        dc_tracker.forget("blobs", f"{id}/keep.txt")
        dc_api.get(f"/buckets/{id}/keep.txt").expect(404)
        dc_api.delete(f"/buckets/{id}").expect(204)
        dc_tracker.forget("buckets", id)
        gone(dc_api, bucket.get("href"), dc_settings)


@requires_collection("metrics")
class TestMetrics(OptionalCollectionChecks):
    """``/api/metrics``: one entry per instance, with its measured properties."""

    area = "metrics"
    collection = "metrics"
    required = ("entity", "properties")
    named = False

    def test_metrics_are_of_instances(self, dc_api: DeltacloudApi) -> None:
        metrics = items_of(dc_api.xml("/metrics"), "metrics")
        instances = {i.get("id") for i in items_of(dc_api.xml("/instances"), "instances")}
        strays = [m.get("id") for m in metrics if m.get("id") not in instances]
        assert not strays, f"metrics of instances that are not listed: {strays}"
        for metric in metrics[:5]:
            shown = dc_api.xml(metric.get("href"))
            assert shown.get("id") == metric.get("id"), (
                f"metrics/{metric.get('id')} shows the metrics of {shown.get('id')!r}{dc_profile.fault('metric-id')}")
            assert shown.find("properties") is not None, f"metrics/{metric.get('id')} has no <properties>"
