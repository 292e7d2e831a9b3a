"""The PNG: latency percentiles against offered rate, one panel per series."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from bench.report import Series

PERCENTILES = (("p50", "-o"), ("p90", "--s"), ("p99", ":^"))


def draw(series: Sequence[Series], out: Path, title: str) -> bool:
    """Write the plot; False when there is nothing to draw."""
    drawable = [s for s in series if len(s.points) >= 1]
    if not drawable:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(2, len(drawable))
    rows = math.ceil(len(drawable) / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(6.4 * columns, 4.2 * rows), squeeze=False
    )
    for ax, one in zip(axes.flat, drawable, strict=False):
        rates = [p["rps"] for p in one.points]
        for key, style in PERCENTILES:
            values = [p.get(key) for p in one.points]
            ax.plot(
                rates,
                [math.nan if v is None else v for v in values],
                style,
                label=key,
            )
        ax.set_title(one.name, fontsize=10)
        ax.set_xlabel("offered rate (requests/s, open loop)")
        ax.set_ylabel("latency (ms)")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    for ax in list(axes.flat)[len(drawable) :]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True
