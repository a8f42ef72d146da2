import math

import numpy as np
import pandas as pd
from rich.console import Console

from npssim.ledger import METRIC_BY_NAME, METRIC_NAMES
from npssim.report import format_value, goods_and_bads_table, plot_nps, save_figure


def test_money_and_shares_are_formatted_for_people():
    assert format_value(METRIC_BY_NAME["concession_cost"], 1234567.8) == "1,234,568"
    assert format_value(METRIC_BY_NAME["share_coached"], 0.256) == "25.6%"
    assert format_value(METRIC_BY_NAME["nps_inflation"], 12.34) == "+12.3"
    assert format_value(METRIC_BY_NAME["signal_validity"], math.nan) == "n/a"


def test_table_lists_every_metric_under_goods_bads_or_shown():
    ledger = dict.fromkeys(METRIC_NAMES, 1.0)
    console = Console(width=200, record=True)
    table = goods_and_bads_table(
        {"week 26": ledger, "week 104": ledger}, extra={"signal_validity": "latent: 0.9"}
    )
    console.print(table)
    text = console.export_text()
    assert "week 26" in text and "week 104" in text
    for name in METRIC_NAMES:
        assert name in text
    assert "Goods" in text and "Bads" in text and "latent: 0.9" in text


def test_nps_figure_marks_policy_changes(tmp_path):
    weeks = pd.RangeIndex(10, name="week")
    weekly = pd.DataFrame(
        {"reported_nps": np.linspace(20, 40, 10), "true_nps": np.linspace(20, 25, 10)}, index=weeks
    )
    figure = plot_nps(weekly, change_weeks=[4])
    axes = figure.axes[0]
    assert axes.get_xlabel() == "week"
    assert "NPS" in axes.get_ylabel()
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert "policy change" in labels
    save_figure(figure, tmp_path / "nps.png")
    assert (tmp_path / "nps.png").stat().st_size > 1000
