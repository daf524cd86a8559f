"""Plots as Markdown metadata (a PNG inlined as base64), which the Dagster UI renders."""

from __future__ import annotations

import base64
import io

import dagster as dg


def figure():
    """A fresh matplotlib figure on the headless Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(6, 3.2), dpi=100, layout="tight")


def as_markdown(fig) -> dg.MarkdownMetadataValue:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return dg.MetadataValue.md(f"![plot](data:image/png;base64,{encoded})")
