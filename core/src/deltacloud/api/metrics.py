"""Monitoring in the API description: the metrics of each instance."""

from __future__ import annotations

from deltacloud.api.spec import Collection, Operation, Param
from deltacloud.models import Metric

METRICS = Collection(
    "metrics", "metric", "Measurements of each instance: cpu, disk and network, sampled over time.",
    (Operation("index", "index", "metrics", params=(Param("id", description="Only the metrics of this instance"),),
               description="List the measured properties of every instance"),
     Operation("show", "show", "metric", description="Show an instance's recent samples of every property")),
    model=Metric)

#: The monitoring collections in the order ``/api`` lists them.
METRIC_COLLECTIONS: tuple[Collection, ...] = (METRICS,)
