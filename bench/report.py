"""The rows of the results table and how they are rendered (pure, unit-tested)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "miss", "info", "n/a"]
TIMES = "\N{MULTIPLICATION SIGN}"  # the unit of a ratio
SYMBOL = {"<=": "≤", ">=": "≥"}


@dataclass(frozen=True)
class Target:
    op: Literal["<=", ">="]
    bound: float

    def met_by(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return value <= self.bound if self.op == "<=" else value >= self.bound

    def text(self, unit: str) -> str:
        return f"{SYMBOL[self.op]} {fmt(self.bound)}{spaced(unit)}"


def at_most(bound: float) -> Target:
    return Target("<=", bound)


def at_least(bound: float) -> Target:
    return Target(">=", bound)


@dataclass(frozen=True)
class Row:
    scenario: str  # R1..R6
    figure: str  # what the number is
    value: float | None  # None when the scenario could not run
    unit: str = ""
    target: Target | None = None
    detail: str = ""  # both sides of the comparison, or why it is missing
    note: str = ""  # the target's own wording when a bare bound says too little

    @property
    def status(self) -> Status:
        if self.value is None or math.isnan(self.value):
            return "n/a"
        if self.target is None:
            return "info"
        return "pass" if self.target.met_by(self.value) else "miss"

    def measured(self) -> str:
        if self.value is None or math.isnan(self.value):
            return "—"
        return f"{fmt(self.value)}{spaced(self.unit)}"

    def ratio_to_target(self) -> float | None:
        """measured ÷ target bound: over 1 misses an upper bound, under 1 a
        lower one. None without a target, a figure or a non-zero bound."""
        if self.status in ("info", "n/a") or not self.target or not self.target.bound:
            return None
        return self.value / self.target.bound if self.value is not None else None

    def target_ratio_text(self) -> str:
        ratio = self.ratio_to_target()
        return "" if ratio is None else f"{fmt(ratio)}{TIMES}"

    def target_text(self) -> str:
        if self.note:
            return self.note
        return self.target.text(self.unit) if self.target else ""

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        if value is not None and math.isnan(value):
            value = None
        return {
            "scenario": self.scenario,
            "figure": self.figure,
            "value": value,
            "unit": self.unit,
            "target": (
                {"op": self.target.op, "bound": self.target.bound}
                if self.target
                else None
            ),
            "target_text": self.target_text(),
            "ratio_to_target": self.ratio_to_target(),
            "status": self.status,
            "detail": self.detail,
        }


def unavailable(scenario: str, figure: str, why: str) -> Row:
    return Row(scenario, figure, None, detail=f"not available: {why}")


def spaced(unit: str) -> str:
    """The unit as it follows a number: `3 ms`, `2.5x` (a ratio), `8%`."""
    if not unit or unit in (TIMES, "%"):
        return unit
    return f" {unit}"


def fmt(value: float) -> str:
    """Three significant figures, no exponent for the ranges we print."""
    if math.isnan(value):
        return "—"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


STATUS_MARK = {"pass": "pass", "miss": "MISS", "info": "info", "n/a": "n/a"}
COLUMNS = (
    "#",
    "figure",
    "measured",
    "target",
    "÷ target",
    "result",
    "compared / why",
)


def _cells(row: Row) -> tuple[str, ...]:
    return (
        row.scenario,
        row.figure,
        row.measured(),
        row.target_text(),
        row.target_ratio_text(),
        STATUS_MARK[row.status],
        row.detail,
    )


def render_text(rows: Sequence[Row], detail_width: int = 70) -> str:
    """A fixed-width table for the terminal."""
    cells = [COLUMNS, *(_cells(r) for r in rows)]
    cells = [(*c[:-1], _clip(c[-1], detail_width)) for c in cells]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = []
    for index, row in enumerate(cells):
        padded = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(padded).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_markdown(rows: Sequence[Row]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join(["---"] * len(COLUMNS)) + "|",
    ]
    for row in rows:
        cells = list(_cells(row))
        if row.status == "miss":
            cells[COLUMNS.index("result")] = "**MISS**"
        lines.append("| " + " | ".join(esc(c) for c in cells) + " |")
    return "\n".join(lines)


def beside(rows: Sequence[Row], base: str, variant: str) -> list[Row]:
    """`rows` with each row of scenario `variant` moved just after the `base`
    row it varies (same figure, plus a " (label)" suffix), so the two read
    side by side. A variant row without its base row stays where it was."""
    bases = {r.figure for r in rows if r.scenario == base}

    def base_of(row: Row) -> str | None:
        figure = row.figure.rsplit(" (", 1)[0]
        return figure if row.scenario == variant and figure in bases else None

    moved = [r for r in rows if base_of(r) is not None]
    out: list[Row] = []
    for row in rows:
        if base_of(row) is not None:
            continue
        out.append(row)
        if row.scenario == base:
            out += [m for m in moved if base_of(m) == row.figure]
    return out


def tally(rows: Sequence[Row]) -> dict[str, int]:
    counts = {"pass": 0, "miss": 0, "info": 0, "n/a": 0}
    for row in rows:
        counts[row.status] += 1
    return counts


@dataclass
class Series:
    """Latency percentiles against offered rate, for the plot."""

    name: str
    points: list[dict[str, float | None]] = field(default_factory=list)
