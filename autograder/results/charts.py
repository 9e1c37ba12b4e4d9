"""The class report's figures: matplotlib drawn off screen, returned as ``data:image/png`` URIs.

Each figure is a ``matplotlib.figure.Figure`` of its own (no pyplot state, safe in any thread),
saved as PNG into memory, so the page that embeds it fetches nothing. Colours are dark on white
(contrast above 7:1) and every figure comes with its alt text, built from the same numbers.
"""

from __future__ import annotations

import base64
import io

INK = "#1a1a1a"
BAR = "#1f4e79"  # dark blue on white: contrast 9:1


def _png_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    ax = fig.add_subplot()
    ax.tick_params(colors=INK, labelsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def score_histogram(scores: list[float], max_score: float, title: str) -> tuple[str, str]:
    """(PNG data URI, alt text): how many students reached each score, 0..max_score in 10 bins."""
    fig, ax = _figure(5.0, 2.6)
    top = max(max_score, max(scores, default=0.0), 1.0)
    counts, edges, _ = ax.hist(scores, bins=10, range=(0.0, top), color=BAR, edgecolor="white")
    ax.set_xlabel("score", color=INK, fontsize=10)
    ax.set_ylabel("students", color=INK, fontsize=10)
    ax.set_title(title, color=INK, fontsize=11)
    ax.yaxis.get_major_locator().set_params(integer=True)
    bins = [
        f"{int(c)} between {lo:g} and {hi:g}"
        for c, lo, hi in zip(counts, edges, edges[1:], strict=False)
        if c
    ]
    alt = f"{title}: histogram of {len(scores)} scores out of {max_score:g}; " + "; ".join(bins)
    return _png_uri(fig), alt


def pass_rates(names: list[str], rates: list[float], title: str) -> tuple[str, str]:
    """(PNG data URI, alt text): one horizontal bar per check, the share of students who passed it."""
    fig, ax = _figure(5.0, 0.9 + 0.32 * max(len(names), 1))
    y = list(range(len(names)))[::-1]
    ax.barh(y, [100 * r for r in rates], color=BAR)
    ax.set_yticks(y, names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("students who passed (%)", color=INK, fontsize=10)
    ax.set_title(title, color=INK, fontsize=11)
    parts = [f"{n} {100 * r:.0f}%" for n, r in zip(names, rates, strict=True)]
    alt = f"{title}: bar chart of the share of students passing each check; " + "; ".join(parts)
    return _png_uri(fig), alt
