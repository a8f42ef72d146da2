"""Reports: tables, figures and documents made from the ledger's output.

The report reads what the ledger produced (metric values, weekly frames, experiment summaries);
it never touches a model. One place draws each figure, so it looks the same in the CLI, notebooks
and the dashboard.
"""

from npssim.report.document import Document
from npssim.report.figures import (
    as_timeseries,
    plot_breakdown,
    plot_differences,
    plot_indices,
    plot_intervals,
    plot_metrics,
    plot_nps,
    plot_nps_bands,
    plot_sweep,
    save_figure,
)
from npssim.report.tables import (
    comparison_rows,
    format_interval,
    format_value,
    goods_and_bads_table,
    ledger_rows,
    rich_table,
    summary_rows,
)

__all__ = [
    "Document",
    "as_timeseries",
    "comparison_rows",
    "format_interval",
    "format_value",
    "goods_and_bads_table",
    "ledger_rows",
    "plot_breakdown",
    "plot_differences",
    "plot_indices",
    "plot_intervals",
    "plot_metrics",
    "plot_nps",
    "plot_nps_bands",
    "plot_sweep",
    "rich_table",
    "save_figure",
    "summary_rows",
]
