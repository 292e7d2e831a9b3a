"""Latency summaries and the arithmetic behind each figure (pure, unit-tested).

Percentiles are computed from every recorded latency (no binning), with the
nearest-rank definition HdrHistogram uses, at HdrHistogram's usual points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

NAN = float("nan")


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile `q` (0 < q <= 100) of values sorted ascending."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile must be in (0, 100], not {q}")
    rank = math.ceil(q / 100 * len(sorted_values))
    return sorted_values[max(rank, 1) - 1]


@dataclass(frozen=True)
class Latency:
    """One side of a comparison: successful requests' latencies, in ms."""

    count: int
    errors: int
    p50: float
    p90: float
    p99: float
    p999: float
    max: float
    mean: float

    @property
    def error_rate(self) -> float:
        total = self.count + self.errors
        return self.errors / total if total else 0.0

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            k: (None if isinstance(v, float) and math.isnan(v) else v)
            for k, v in asdict(self).items()
        }


def summarize(latencies_ms: Iterable[float], errors: int = 0) -> Latency:
    values = sorted(latencies_ms)
    if not values:
        return Latency(0, errors, NAN, NAN, NAN, NAN, NAN, NAN)
    return Latency(
        count=len(values),
        errors=errors,
        p50=percentile(values, 50),
        p90=percentile(values, 90),
        p99=percentile(values, 99),
        p999=percentile(values, 99.9),
        max=values[-1],
        mean=sum(values) / len(values),
    )


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when the denominator is not positive."""
    if denominator <= 0 or math.isnan(denominator) or math.isnan(numerator):
        return NAN
    return numerator / denominator


def cpu_ms_per_request(
    busy_ms: float, requests: int, idle_ms_per_s: float = 0.0, wall_s: float = 0.0
) -> float:
    """CPU time one request cost a process, its idle background subtracted.

    `busy_ms` is the process's utime+stime over the measured window, `wall_s`
    that window's length and `idle_ms_per_s` the CPU it burns doing nothing
    (measured while the mesh was idle). Never negative.
    """
    if requests <= 0:
        return NAN
    return max(0.0, busy_ms - idle_ms_per_s * wall_s) / requests


@dataclass(frozen=True)
class RatePoint:
    """One step of a rate ladder."""

    offered_rps: float
    latency: Latency


def knee(
    points: Sequence[RatePoint], p99_limit_ms: float, max_error_rate: float = 0.01
) -> float | None:
    """The lowest offered rate whose p99 exceeds the limit or that fails too often.

    None when every rate of the ladder stayed within both limits.
    """
    for point in sorted(points, key=lambda p: p.offered_rps):
        lat = point.latency
        if lat.count == 0 or lat.p99 > p99_limit_ms or lat.error_rate > max_error_rate:
            return point.offered_rps
    return None


def ladder_exhausted(
    point: RatePoint, p99_stop_ms: float, max_error_rate: float = 0.2
) -> bool:
    """Whether a ladder should stop climbing after this step (deep in overload)."""
    lat = point.latency
    return lat.count == 0 or lat.p99 > p99_stop_ms or lat.error_rate > max_error_rate
