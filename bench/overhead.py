"""R2's figures: what the GraphQL layer adds over the REST twin, sent as a full
document and as an automatic persisted query (hash only), from one alternating
run of the three sides (pure, unit-tested).

Per field, four rows: the gateway's added CPU per request with the full
document and with APQ (issue 14: APQ's must be ≤ +0.5 CPU-ms over the REST
route), then the added p50 of each. A side that failed more than
`MAX_ERROR_RATE` of its requests prices nothing (failures are cheap, so its
CPU per request would flatter it): the rows needing it say why instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from bench.harness import SideResult, busy_note
from bench.report import Row, at_most

FULL = "GraphQL"
APQ = "GraphQL+APQ"
REST = "REST twin"
# Which process each side charges its CPU to.
CHARGED = {FULL: "gateway", APQ: "gateway", REST: "rest-twin"}
SHORT = {FULL: "GraphQL", APQ: "APQ", REST: "twin"}
ORDER = (REST, FULL, APQ)  # how the details list the sides
MAX_ERROR_RATE = 0.01
CPU_TARGET = at_most(0.5)  # CPU-ms per request over the REST route
P50_TARGET = at_most(1.0)  # ms over the REST route, full document (issue 5)


def templates(label: str, rate: float) -> tuple[Row, Row, Row, Row]:
    """The rows for one field (`label`, e.g. "product(id)"), not yet measured."""
    at = f"{label} @{rate:g} rps"
    return (
        Row("R2", f"GraphQL added CPU, {at}", None, "CPU-ms", CPU_TARGET),
        Row("R2", f"GraphQL+APQ added CPU, {at}", None, "CPU-ms", CPU_TARGET),
        Row("R2", f"GraphQL added p50, {at}", None, "ms", P50_TARGET),
        # No target of its own: issue 14 sets APQ's CPU bound only.
        Row("R2", f"GraphQL+APQ added p50, {at}", None, "ms"),
    )


def cpu_ms(results: Mapping[str, SideResult], side: str) -> float:
    """CPU-ms per request of the process a side charges (NaN when unknown)."""
    result = results.get(side)
    if result is None:
        return math.nan
    return result.cpu_ms.get(CHARGED[side], math.nan)


def failed(result: SideResult | None) -> str:
    """Why a side cannot be priced ("" when it can)."""
    if result is None:
        return "not run"
    if result.requests == 0:
        return "no requests"
    if result.latency.error_rate > MAX_ERROR_RATE:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(result.error_kinds.items()))
        return (
            f"{result.name}: {result.latency.errors} of {result.requests} "
            f"requests failed ({kinds or 'unknown'})"
        )
    return ""


def _number(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


def cpu_detail(results: Mapping[str, SideResult]) -> str:
    sides = ", ".join(f"{SHORT[s]} {_number(cpu_ms(results, s))}" for s in ORDER)
    return f"CPU-ms/request: {sides}"


def latency_detail(results: Mapping[str, SideResult]) -> str:
    """p50/p99 of every side that ran, side by side, then counts and load."""
    ran = [s for s in ORDER if s in results]
    pairs = ", ".join(
        f"{SHORT[s]} {_number(results[s].latency.p50)}/"
        f"{_number(results[s].latency.p99)}"
        for s in ran
    )
    counts = {results[s].latency.count for s in ran}
    n = (
        f"n={counts.pop()} each"
        if len(counts) == 1
        else "n=" + "/".join(str(results[s].latency.count) for s in ran)
    )
    errors = ", ".join(
        f"{SHORT[s]} {results[s].latency.errors}"
        for s in ran
        if results[s].latency.errors
    )
    text = f"p50/p99 ms: {pairs}; {n}"
    if errors:
        text += f"; errors: {errors}"
    return text + busy_note([results[s] for s in ran])


def rows(
    label: str,
    rate: float,
    results: Mapping[str, SideResult],
    apq_missing: str = "",
) -> list[Row]:
    """The four rows of one field from the sides' results. `apq_missing` says
    why the APQ side did not run (its rows are then "not available")."""
    cpu_full, cpu_apq, p50_full, p50_apq = templates(label, rate)
    twin_why = failed(results.get(REST))

    def priced(template: Row, side: str, value: float, detail: str) -> Row:
        why = twin_why or failed(results.get(side))
        if side == APQ and apq_missing:
            why = apq_missing
        if why:
            return replace(template, value=None, detail=f"not available: {why}")
        return replace(template, value=value, detail=detail)

    def added_p50(side: str) -> float:
        if side not in results or REST not in results:
            return math.nan
        return results[side].latency.p50 - results[REST].latency.p50

    twin = cpu_ms(results, REST)
    full = cpu_ms(results, FULL)
    apq = cpu_ms(results, APQ)
    saved = f"; APQ saves {_number(full - apq)} of GraphQL's"
    latency = latency_detail(results)
    return [
        priced(cpu_full, FULL, full - twin, cpu_detail(results)),
        priced(cpu_apq, APQ, apq - twin, cpu_detail(results) + saved),
        priced(p50_full, FULL, added_p50(FULL), latency),
        priced(p50_apq, APQ, added_p50(APQ), latency),
    ]
