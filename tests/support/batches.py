"""What the write lane's batchers did so far in this process (their batch-size histograms)."""

from __future__ import annotations

from prometheus_client import Histogram


def batch_counts(sizes: Histogram) -> tuple[float, float]:
    """(batches, writes) a batcher with the histogram `sizes` (agent_hub.metrics) wrote so far."""
    count = sum_ = 0.0
    for metric in sizes.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                count = sample.value
            elif sample.name.endswith("_sum"):
                sum_ = sample.value
    return count, sum_
