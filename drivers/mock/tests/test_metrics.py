"""Mock metrics: one per instance, samples derived from the clock, detailed monitoring with metrics=true."""

from __future__ import annotations

import itertools
from datetime import datetime

import defusedxml.ElementTree as ET

from deltacloud_driver_mock.metrics import DETAILED_PERIOD, PERIOD, PROPERTIES, SAMPLES, measured


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_one_metric_per_instance(api, mock_auth):
    doc = ET.fromstring(api.simulate_get("/api/metrics", headers=mock_auth).content)
    assert [m.get("id") for m in doc] == ["inst0", "inst1", "inst2", "inst3"]
    inst1 = doc.find("metric[@id='inst1']")
    assert inst1.findtext("entity") == "MockUserInstance" and doc.find("metric[@id='inst3']").findtext("entity") \
        == "inst3"
    assert [p.tag for p in inst1.find("properties")] == [name for name, _, _ in PROPERTIES]
    assert inst1.find("properties/cpuUtilization/sample") is None  # the listing names properties only
    assert [m["id"] for m in api.simulate_get("/api/metrics", headers=mock_auth,
                                              params={"id": "inst2", "format": "json"}).json["metrics"]] == ["inst2"]


def test_samples_of_every_property(api, mock_auth):
    metric = ET.fromstring(api.simulate_get("/api/metrics/inst1", headers=mock_auth).content)
    assert metric.tag == "metric" and metric.get("id") == "inst1"
    for name, unit, high in PROPERTIES:
        prop = metric.find(f"properties/{name}")
        assert prop.findtext("unit") == unit
        samples = prop.findall("sample")
        assert len(samples) == SAMPLES
        times = []
        for sample in samples:
            values = {p.get("name"): p.get("value") for p in sample}
            assert set(values) == {"timestamp", "minimum", "maximum", "average", "unit"} and values["unit"] == unit
            low, mid, top = float(values["minimum"]), float(values["average"]), float(values["maximum"])
            assert 0 <= low <= mid <= top <= high, (name, values)
            times.append(_seconds(values["timestamp"]))
        assert [b - a for a, b in itertools.pairwise(times)] == [PERIOD] * (SAMPLES - 1)
    doc = api.simulate_get("/api/metrics/inst1", headers=mock_auth, params={"format": "json"}).json["metric"]
    cpu = doc["properties"][0]
    assert cpu["name"] == "cpuUtilization" and cpu["unit"] == "Percent" and len(cpu["samples"]) == SAMPLES
    assert set(cpu["samples"][0]) == {"timestamp", "minimum", "maximum", "average"}


def test_samples_are_deterministic():
    doc = {"id": "inst9", "name": "x"}
    at = 1_700_000_123.0
    assert measured(doc, at) == measured(doc, at + 1)  # same period, same numbers
    assert measured(doc, at) != measured({"id": "inst8"}, at)
    later = measured(doc, at + PERIOD)
    assert later.properties[0].samples[:-1] == measured(doc, at).properties[0].samples[1:]  # the window slides


def test_metrics_true_turns_on_detailed_monitoring(api, mock_auth):
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "metrics": "true", "format": "json"})
    assert r.status_code == 201, r.text
    id = r.json["instance"]["id"]
    samples = api.simulate_get(f"/api/metrics/{id}", headers=mock_auth,
                               params={"format": "json"}).json["metric"]["properties"][0]["samples"]
    times = [_seconds(s["timestamp"]) for s in samples]
    assert [b - a for a, b in itertools.pairwise(times)] == [DETAILED_PERIOD] * (SAMPLES - 1)
    r = api.simulate_post("/api/instances", headers=mock_auth,
                          params={"image_id": "img1", "metrics": "maybe", "format": "json"})
    assert r.status_code == 400 and "metrics" in r.json["message"]


def test_unknown_instance_has_no_metrics(api, mock_auth):
    assert api.simulate_get("/api/metrics/nope", headers=mock_auth).status_code == 404
    assert api.simulate_get("/api/metrics").status_code == 401
    page = api.simulate_get("/api/metrics/inst1", headers={**mock_auth, "Accept": "text/html"})
    assert page.status_code == 200 and "cpuUtilization" in page.text
