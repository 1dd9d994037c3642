"""The mock's metrics: every instance is measured; samples are derived from the clock, not stored.

Each property has ``SAMPLES`` samples at the end of the last periods: five minutes apart, or
one minute apart for instances launched with ``metrics=true`` (detailed monitoring, as on
EC2). A sample's values are a pure function of the instance, the property and the sample's
time, so two readers at the same time see the same numbers.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from deltacloud.driver import Filters
from deltacloud.errors import NotFoundError
from deltacloud.models import Metric, MetricProperty, MetricSample
from deltacloud_driver_mock.records import timestamp
from deltacloud_driver_mock.relations import INSTANCES, MockParts

#: Measured properties: name, unit, and the largest value a sample may take. The names and units
#: are those the original mock reported, in its order.
PROPERTIES: tuple[tuple[str, str, float], ...] = (
    ("cpuUtilization", "Percent", 100.0),
    ("diskReadRequestCount", "Count", 500.0),
    ("diskReadSector", "Count", 8_000.0),
    ("diskWriteRequestCount", "Count", 500.0),
    ("diskWriteSector", "Count", 8_000.0),
    ("nicInputByte", "Bytes", 10_000_000.0),
    ("nicInputPacket", "Count", 10_000.0),
    ("nicOutputByte", "Bytes", 10_000_000.0),
    ("nicOutputPacket", "Count", 10_000.0),
)
SAMPLES = 6
#: Seconds between samples: basic and detailed monitoring.
PERIOD, DETAILED_PERIOD = 300, 60


def _value(unit: str, high: float, fraction: float) -> str:
    value = high * fraction
    return f"{value:.2f}" if unit == "Percent" else str(round(value))


def sample(instance_id: str, name: str, unit: str, high: float, at: int) -> MetricSample:
    """The sample of one property at epoch second ``at``: minimum ≤ average ≤ maximum."""
    digest = hashlib.sha256(f"{instance_id}|{name}|{at}".encode()).digest()
    low, middle, top = sorted(int.from_bytes(digest[i:i + 4], "big") / 2**32 for i in (0, 4, 8))
    return MetricSample(timestamp(at), (("minimum", _value(unit, high, low)), ("maximum", _value(unit, high, top)),
                                        ("average", _value(unit, high, middle))))


def measured(doc: dict[str, Any], now: float) -> Metric:
    """An instance's metrics with their samples up to ``now``."""
    period = DETAILED_PERIOD if doc.get("metrics") else PERIOD
    last = int(now // period * period)
    times = [last - period * (SAMPLES - 1 - i) for i in range(SAMPLES)]
    return Metric(doc["id"], doc.get("name") or doc["id"], tuple(
        MetricProperty(name, unit, tuple(sample(doc["id"], name, unit, high, at) for at in times))
        for name, unit, high in PROPERTIES))


class MetricsMixin(MockParts):
    """The metrics of the caller's instances."""

    def metrics(self, filters: Filters) -> list[Metric]:
        """One metric per instance, naming its properties (the samples are in ``metric``)."""
        user = self._user()
        properties = tuple(MetricProperty(name, unit) for name, unit, _ in PROPERTIES)
        return [Metric(d["id"], d.get("name") or d["id"], properties)
                for d in self.store.list(INSTANCES, id=filters.get("id"), owner=user)]

    def metric(self, id: str) -> Metric:
        """An instance's recent samples of every property."""
        user = self._user()
        doc = self.store.get(INSTANCES, id)
        if doc is None or doc.get("owner_id") != user:
            raise NotFoundError(f"Metric '{id}' not found: no such instance")
        return measured(doc, time.time())
