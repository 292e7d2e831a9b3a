"""R2's figures: the GraphQL layer over the REST twin, with and without APQ."""

import hashlib
import json

from bench.gqlclient import PRODUCT, persisted_target
from bench.harness import SideResult
from bench.overhead import APQ, FULL, REST, latency_detail, rows
from bench.report import Row
from bench.stats import summarize


def side(
    name: str,
    cpu_ms: float,
    latencies: list[float],
    errors: int = 0,
    busy: float = 0.3,
) -> SideResult:
    process = "rest-twin" if name == REST else "gateway"
    return SideResult(
        name=name,
        latency=summarize(latencies, errors),
        cpu_ms={process: cpu_ms, "gateway-daprd": 0.4, "redis": 0.1},
        requests=len(latencies) + errors,
        wall_s=4.0,
        machine_busy=busy,
        tool_cpu_ms=0.2,
        error_kinds={"HTTP 500": errors} if errors else {},
    )


def three(apq_cpu: float = 1.3, apq_errors: int = 0) -> dict[str, SideResult]:
    return {
        REST: side(REST, 1.0, [1.0] * 98 + [2.0] * 2),
        FULL: side(FULL, 1.8, [1.8] * 98 + [3.0] * 2),
        APQ: side(APQ, apq_cpu, [1.5] * 98 + [2.5] * 2, errors=apq_errors),
    }


def by_figure(measured: list[Row]) -> dict[str, Row]:
    return {row.figure.split(",")[0]: row for row in measured}


def test_each_way_of_sending_is_priced_against_the_rest_route() -> None:
    measured = by_figure(rows("product(id)", 100, three()))
    assert measured["GraphQL added CPU"].value == 1.8 - 1.0
    assert measured["GraphQL+APQ added CPU"].value == 1.3 - 1.0
    assert measured["GraphQL added p50"].value == 1.8 - 1.0
    assert measured["GraphQL+APQ added p50"].value == 1.5 - 1.0
    # The full document's figures keep the names earlier runs used.
    assert [r.figure for r in measured.values()] == [
        "GraphQL added CPU, product(id) @100 rps",
        "GraphQL+APQ added CPU, product(id) @100 rps",
        "GraphQL added p50, product(id) @100 rps",
        "GraphQL+APQ added p50, product(id) @100 rps",
    ]


def test_apq_passes_at_half_a_cpu_ms_over_rest_and_misses_above() -> None:
    passing = by_figure(rows("products", 100, three(apq_cpu=1.5)))
    missing = by_figure(rows("products", 100, three(apq_cpu=1.51)))
    assert passing["GraphQL+APQ added CPU"].status == "pass"
    assert missing["GraphQL+APQ added CPU"].status == "miss"
    # The full document's row keeps its own verdict, the APQ p50 none.
    assert passing["GraphQL added CPU"].status == "miss"
    assert passing["GraphQL+APQ added p50"].status == "info"


def test_the_cpu_detail_shows_all_three_sides_and_what_apq_saves() -> None:
    apq_row = by_figure(rows("products", 100, three()))["GraphQL+APQ added CPU"]
    assert apq_row.detail == (
        "CPU-ms/request: twin 1.00, GraphQL 1.80, APQ 1.30; APQ saves 0.50 of GraphQL's"
    )


def test_the_latency_detail_puts_p50_and_p99_side_by_side() -> None:
    results = three()
    results[FULL] = side(FULL, 1.8, [1.8] * 98 + [3.0] * 2, busy=0.9)
    assert latency_detail(results) == (
        "p50/p99 ms: twin 1.00/2.00, GraphQL 1.80/3.00, APQ 1.50/2.50; "
        "n=100 each; machine 90% busy (> 70%)"
    )


def test_a_side_that_mostly_failed_prices_nothing() -> None:
    # Failed requests are cheap: a failing APQ side must not pass on them.
    measured = by_figure(rows("product(id)", 100, three(apq_cpu=0.2, apq_errors=5)))
    apq_row = measured["GraphQL+APQ added CPU"]
    assert apq_row.value is None and apq_row.status == "n/a"
    assert "5 of 105 requests failed (HTTP 500: 5)" in apq_row.detail
    assert measured["GraphQL added CPU"].status == "miss"
    assert "errors: APQ 5" in measured["GraphQL added p50"].detail


def test_a_failing_rest_route_leaves_every_row_unmeasured() -> None:
    results = three()
    results[REST] = side(REST, 1.0, [1.0] * 10, errors=10)
    assert {r.status for r in rows("product(id)", 100, results)} == {"n/a"}


def test_apq_that_could_not_be_registered_says_why() -> None:
    results = three()
    del results[APQ]
    measured = by_figure(rows("products", 100, results, "persisted query refused"))
    assert measured["GraphQL+APQ added CPU"].detail == (
        "not available: persisted query refused"
    )
    assert measured["GraphQL added CPU"].value == 1.8 - 1.0
    assert "APQ" not in measured["GraphQL added p50"].detail


def test_a_persisted_query_sends_its_hash_and_the_document_only_to_register() -> None:
    digest = hashlib.sha256(PRODUCT.encode()).hexdigest()
    for with_document in (True, False):
        body = json.loads(
            persisted_target(PRODUCT, {"id": "p1"}, with_document=with_document).body
        )
        assert body["extensions"] == {
            "persistedQuery": {"version": 1, "sha256Hash": digest}
        }
        assert body["variables"] == {"id": "p1"}
        assert ("query" in body) is with_document
