import json
import math

from bench.report import (
    TIMES,
    Row,
    at_least,
    at_most,
    beside,
    fmt,
    render_markdown,
    render_text,
    tally,
    unavailable,
)


def test_status_follows_the_target() -> None:
    assert Row("R1", "added p50", 0.8, "ms", at_most(1.0)).status == "pass"
    assert Row("R1", "added p50", 1.2, "ms", at_most(1.0)).status == "miss"
    assert Row("R3", "uncached ÷ cached", 2.0, TIMES, at_least(2.0)).status == "pass"
    assert Row("R6", "mesh RSS", 1400.0, "MiB").status == "info"
    assert Row("R2", "added CPU", None, "CPU-ms", at_most(0.5)).status == "n/a"
    assert Row("R2", "added CPU", math.nan, "CPU-ms", at_most(0.5)).status == "n/a"


def test_numbers_keep_three_significant_figures() -> None:
    assert fmt(1436.4) == "1436"
    assert fmt(43.21) == "43.2"
    assert fmt(1.614) == "1.61"
    assert fmt(0.2468) == "0.247"
    assert fmt(0) == "0"


def test_measured_and_target_text() -> None:
    row = Row("R1", "p50 ratio", 1.6, TIMES, at_most(2.5))
    assert row.measured() == f"1.60{TIMES}"
    assert row.target_text() == f"≤ 2.50{TIMES}"
    assert (
        Row(
            "R4", "p50", 43.0, "ms", at_most(10), note="≤ 10 ms (stretch 5)"
        ).target_text()
        == "≤ 10 ms (stretch 5)"
    )


def test_text_table_has_aligned_columns_and_every_row() -> None:
    rows = [
        Row("R1", "added p50", 1.61, "ms", at_most(1.0), "via 4.3; direct 2.7"),
        unavailable("R2", "GraphQL added CPU", "gateway: not started"),
    ]
    lines = render_text(rows).splitlines()
    assert lines[0].split()[:3] == ["#", "figure", "measured"]
    assert set(lines[1]) <= {"-", " "}
    assert "MISS" in lines[2]
    assert "not available: gateway: not started" in lines[3]
    assert lines[2].index("MISS") == lines[3].index("n/a")


def test_long_details_are_clipped_in_the_terminal_only() -> None:
    detail = "x" * 200
    row = Row("R1", "f", 1.0, "ms", None, detail)
    assert max(len(line) for line in render_text([row]).splitlines()) < 150
    assert detail in render_markdown([row])


def test_markdown_escapes_pipes_and_marks_misses() -> None:
    row = Row("R5", "a | b", 40.0, "ms", at_most(30.0), "p50 | p99")
    text = render_markdown([row])
    assert "a \\| b" in text
    assert "**MISS**" in text
    assert text.splitlines()[1].startswith("|---")


def test_each_target_row_shows_its_ratio_to_the_bound() -> None:
    assert (
        Row("R1", "p50", 1.5, "ms", at_most(1.0)).target_ratio_text() == f"1.50{TIMES}"
    )
    assert Row("R5", "knee", 500, "rps", at_least(350)).ratio_to_target() == 500 / 350
    assert Row("R4", "lost", 0, "", at_most(0)).target_ratio_text() == ""
    assert Row("R6", "RSS", 70.0, "MiB").target_ratio_text() == ""
    assert f"| 1.50{TIMES} | **MISS** |" in render_markdown(
        [Row("R1", "p50", 1.5, "ms", at_most(1.0))]
    )


def test_json_form_has_no_nan() -> None:
    row = Row("R2", "added", math.nan, "ms", at_most(1.0))
    document = row.as_dict()
    assert document["value"] is None
    assert document["status"] == "n/a"
    assert document["target"] == {"op": "<=", "bound": 1.0}
    json.dumps(document, allow_nan=False)


def test_tally_counts_each_status() -> None:
    rows = [
        Row("R1", "a", 1.0, "ms", at_most(2.0)),
        Row("R1", "b", 3.0, "ms", at_most(2.0)),
        Row("R6", "c", 3.0, "MiB"),
        unavailable("R2", "d", "missing"),
    ]
    assert tally(rows) == {"pass": 1, "miss": 1, "info": 1, "n/a": 1}


def test_mtls_off_rows_sit_beside_their_mtls_on_rows() -> None:
    rows = [
        Row("R6", "idle RSS", 70.0),
        Row("R1", "added p50", 0.9),
        Row("R1", "added p99", 2.0),
        Row("R2", "layer", 0.8),
        Row("R1n", "added p50 (mTLS off)", 0.7),
        Row("R1n", "added p99 (mTLS off)", 1.5),
        Row("R1", "added p50 (metrics off)", 0.8),
    ]
    order = [(r.scenario, r.figure) for r in beside(rows, "R1", "R1n")]
    assert order == [
        ("R6", "idle RSS"),
        ("R1", "added p50"),
        ("R1n", "added p50 (mTLS off)"),
        ("R1", "added p99"),
        ("R1n", "added p99 (mTLS off)"),
        ("R2", "layer"),
        ("R1", "added p50 (metrics off)"),
    ]


def test_mtls_off_rows_without_r1_stay_in_place() -> None:
    rows = [Row("R6", "idle RSS", 70.0), Row("R1n", "added p50 (mTLS off)", 0.7)]
    assert beside(rows, "R1", "R1n") == rows


def test_r1_targets_are_for_mtls_on() -> None:
    from bench.invocation import TEMPLATES

    p50, p99 = TEMPLATES[0], TEMPLATES[1]
    assert p50.target is not None and p50.target.text(p50.unit) == "≤ 1.20 ms"
    assert p99.target is not None and p99.target.text(p99.unit) == "≤ 3.00 ms"
