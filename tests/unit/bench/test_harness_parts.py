"""The parts of the harness that are arithmetic or parsing, not timing."""

import base64
import json

from bench.loadgen import Block, HttpTarget, parse_ghz_details, parse_vegeta_results
from bench.stack import _without_app_flags, levels


def test_ghz_details_split_successes_from_failures() -> None:
    block = Block("via Dapr", 100, 5)
    parse_ghz_details(
        [
            {"latency": 2_500_000, "status": "OK", "error": ""},
            {"latency": 1_000_000, "status": "Unavailable", "error": "no sidecar"},
            {"latency": 4_000_000, "status": "OK"},
        ],
        block,
    )
    assert block.latencies_ms == [2.5, 4.0]
    assert block.errors == 1
    assert block.error_kinds == {"Unavailable": 1}
    assert block.requests == 3


def _vegeta_line(code: int, latency_ns: int, body: bytes, error: str = "") -> str:
    return json.dumps(
        {
            "code": code,
            "latency": latency_ns,
            "error": error,
            "body": base64.b64encode(body).decode(),
        }
    )


def test_vegeta_results_use_the_success_check_and_keep_bodies() -> None:
    block = Block("products", 50, 2)
    lines = [
        _vegeta_line(200, 3_000_000, b'{"data": {"products": {}}}'),
        _vegeta_line(200, 1_000_000, b'{"errors": [{"message": "boom"}]}'),
        _vegeta_line(429, 1_000_000, b"slow down"),
        _vegeta_line(0, 10_000_000_000, b"", error="timeout"),
        "",
    ]
    parse_vegeta_results(
        lines,
        block,
        ok=lambda code, body: code == 200 and b"errors" not in body,
        keep_bodies=True,
    )
    assert block.latencies_ms == [3.0]
    assert block.errors == 3
    assert block.error_kinds["timeout"] == 1
    assert len(block.bodies) == 4


def test_vegeta_target_carries_method_headers_and_base64_body() -> None:
    target = HttpTarget("POST", "http://x/graphql", b"{}", {"A": "b"})
    assert json.loads(target.vegeta_json()) == {
        "method": "POST",
        "url": "http://x/graphql",
        "header": {"A": ["b"]},
        "body": base64.b64encode(b"{}").decode(),
    }


def test_levels_start_dependencies_first() -> None:
    deps = {
        "redis": (),
        "kafka": (),
        "product": ("redis", "kafka"),
        "order": ("product", "redis"),
        "gateway": ("order", "oidc"),  # oidc is not in this table: ignored
    }
    assert levels(deps) == [["redis", "kafka"], ["product"], ["order"], ["gateway"]]


def test_stand_in_sidecar_has_no_app_to_talk_to() -> None:
    argv = ["daprd", "--app-id", "gateway", "--app-port", "18000", "--app-protocol"]
    argv += ["http", "--app-channel-address", "127.0.0.1", "--log-level", "warn"]
    assert _without_app_flags(argv) == [
        "daprd",
        "--app-id",
        "gateway",
        "--log-level",
        "warn",
    ]


def test_profile_summary_counts_self_and_inclusive_time() -> None:
    from bench.profile import summarize

    collapsed = [
        "main (app.py:1);serve (app.py:9);render (tpl.py:3) 6",
        "main (app.py:1);serve (app.py:9);send (smtp.py:7) 3",
        "main (app.py:1);idle (app.py:2) 1",
        "garbage line",
    ]
    summary = summarize(collapsed, top=2)
    assert summary.samples == 10
    assert summary.self_top == [("render (tpl.py:3)", 6), ("send (smtp.py:7)", 3)]
    assert summary.inclusive_top[0] == ("main (app.py:1)", 10)
    assert "60.0%  render (tpl.py:3)" in summary.text("notification")


def test_a_ladder_without_knee_below_the_target_is_inconclusive() -> None:
    from bench.ladder import _knee_text
    from bench.stats import Latency, RatePoint

    calm = Latency(100, 0, 5.0, 8.0, 12.0, 15.0, 20.0, 6.0)
    points = [RatePoint(50, calm), RatePoint(150, calm)]
    assert _knee_text(None, points, at_least=350)[0] is None
    assert _knee_text(None, points)[0] == 150
    assert _knee_text(150, points, at_least=350)[0] == 150


def test_a_step_over_the_knee_line_counts_only_if_its_repeat_is_too() -> None:
    from bench.ladder import _knee_text, confirmed
    from bench.stats import Latency, RatePoint, knee

    calm = Latency(100, 0, 5.0, 8.0, 12.0, 15.0, 20.0, 6.0)
    stalled = Latency(100, 0, 5.0, 8.0, 73.0, 80.0, 90.0, 9.0)
    runs = iter([RatePoint(200, stalled), RatePoint(200, calm)])

    point, first = confirmed(lambda: next(runs))

    assert point.latency is calm and first is not None
    assert first.latency is stalled
    found, detail = _knee_text(knee([point], 50.0), [point], repeated={200: first})
    assert found == 200 and "200: p99 73 → 12 ms" in detail


def test_a_calm_step_runs_once() -> None:
    from bench.ladder import confirmed
    from bench.stats import Latency, RatePoint

    calm = Latency(100, 0, 5.0, 8.0, 12.0, 15.0, 20.0, 6.0)
    calls: list[int] = []

    def step() -> RatePoint:
        calls.append(1)
        return RatePoint(100, calm)

    assert confirmed(step)[1] is None
    assert len(calls) == 1
