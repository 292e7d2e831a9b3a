import math

import pytest

from bench.stats import (
    Latency,
    RatePoint,
    cpu_ms_per_request,
    knee,
    ladder_exhausted,
    percentile,
    ratio,
    summarize,
)


def test_nearest_rank_percentiles_of_one_to_a_hundred() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 99.9) == 100
    assert percentile(values, 100) == 100


def test_a_percentile_is_always_a_recorded_value() -> None:
    values = [1.0, 2.0, 10.0]
    assert percentile(values, 50) == 2.0
    assert percentile(values, 1) == 1.0
    assert percentile(values, 90) == 10.0


@pytest.mark.parametrize("q", [0, -1, 100.1])
def test_percentile_outside_the_range_is_refused(q: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], q)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)


def test_summary_sorts_and_counts_errors() -> None:
    summary = summarize([3.0, 1.0, 2.0, 4.0], errors=1)
    assert (summary.count, summary.errors) == (4, 1)
    assert summary.p50 == 2.0
    assert summary.max == 4.0
    assert summary.mean == 2.5
    assert summary.error_rate == pytest.approx(0.2)


def test_summary_of_only_failures_has_no_latencies() -> None:
    summary = summarize([], errors=3)
    assert summary.count == 0
    assert math.isnan(summary.p50)
    assert summary.as_dict()["p50"] is None
    assert summary.error_rate == 1.0


def test_ratio_guards_against_a_missing_denominator() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert math.isnan(ratio(1.0, 0.0))
    assert math.isnan(ratio(1.0, math.nan))


def test_cpu_per_request_subtracts_the_idle_background() -> None:
    # 1000 ms busy over 10 s while idling at 20 ms/s: 800 ms for 400 requests.
    assert cpu_ms_per_request(1000.0, 400, idle_ms_per_s=20.0, wall_s=10.0) == 2.0
    assert cpu_ms_per_request(50.0, 10, idle_ms_per_s=20.0, wall_s=10.0) == 0.0
    assert math.isnan(cpu_ms_per_request(10.0, 0))


def _point(rps: float, p99: float, count: int = 100, errors: int = 0) -> RatePoint:
    lat = Latency(count, errors, 1.0, 2.0, p99, p99, p99, 1.0)
    return RatePoint(rps, lat)


def test_knee_is_the_first_rate_past_the_p99_limit() -> None:
    points = [_point(300, 60.0), _point(100, 10.0), _point(200, 20.0)]
    assert knee(points, p99_limit_ms=50.0) == 300


def test_knee_counts_failures_too() -> None:
    points = [_point(100, 10.0), _point(200, 10.0, count=90, errors=10)]
    assert knee(points, p99_limit_ms=50.0, max_error_rate=0.01) == 200


def test_no_knee_when_every_rate_holds() -> None:
    assert knee([_point(100, 10.0), _point(200, 20.0)], p99_limit_ms=50.0) is None


def test_ladder_stops_deep_in_overload() -> None:
    assert not ladder_exhausted(_point(100, 100.0), p99_stop_ms=1000.0)
    assert ladder_exhausted(_point(100, 1500.0), p99_stop_ms=1000.0)
    assert ladder_exhausted(_point(100, 10.0, count=0, errors=5), p99_stop_ms=1000.0)
