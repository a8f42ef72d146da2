import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from npssim.metrics import METRIC_BY_NAME, METRIC_NAMES, MONEY_GIVEN_AWAY, PEOPLE, TACTICS
from npssim.report import (
    format_value,
    goods_and_bads_table,
    plot_intervals,
    plot_nps,
    save_figure,
)
from npssim.report.figures import (
    BAND_ENTRY,
    BAND_LABEL,
    as_timeseries,
    plot_breakdown,
    plot_metrics,
)


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
    assert {"policy change", "inflation"} <= set(legend_labels(figure))
    save_figure(figure, tmp_path / "nps.png")
    assert (tmp_path / "nps.png").stat().st_size > 1000


def weekly_frame(weeks=10):
    index = pd.RangeIndex(weeks, name="week")
    ramp = np.linspace(0, 1, weeks)
    return pd.DataFrame({name: ramp for name in METRIC_NAMES}, index=index)


def two_scenarios(replications=3):
    frames = []
    for scenario in ("baseline", "nps_bonus"):
        for replication in range(replications):
            frame = as_timeseries(weekly_frame() + replication, scenario)
            frame["replication"] = replication
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def legend_labels(figure):
    return [text.get_text() for legend in figure.legends for text in legend.get_texts()]


def test_figures_leave_no_pyplot_state():
    plot_nps(weekly_frame(), change_weeks=[4])
    plot_metrics(two_scenarios(), ["savvy_share"])
    assert plt.get_fignums() == []


def test_single_run_is_tidied_with_its_weeks():
    tidy = as_timeseries(weekly_frame(5), "explore")
    assert list(tidy.columns[:3]) == ["scenario", "replication", "week"]
    assert tidy["week"].tolist() == [0, 1, 2, 3, 4]
    assert set(tidy["scenario"]) == {"explore"}


def test_replications_draw_a_band_labelled_with_its_quantiles():
    figure = plot_metrics(two_scenarios(), ["savvy_share"], change_weeks={"nps_bonus": [4]})
    labels = legend_labels(figure)
    assert labels.count(BAND_ENTRY) == 1
    assert "baseline (mean)" in labels and "nps_bonus (mean)" in labels
    assert "policy change" in labels


def test_one_run_draws_no_band():
    figure = plot_metrics(as_timeseries(weekly_frame()), ["savvy_share"])
    assert not any(BAND_LABEL in label for label in legend_labels(figure))


def test_axes_carry_the_metrics_unit():
    figure = plot_metrics(two_scenarios(), ["savvy_share", "concession_cost", "rep_stress"])
    labels = [axes.get_ylabel() for axes in figure.axes if axes.get_visible()]
    assert labels == ["share (%)", "currency, cumulative", "0-1"]
    assert all(axes.get_xlabel() == "week" for axes in figure.axes if axes.get_visible())


def test_money_breakdown_draws_each_kind_per_scenario():
    figure = plot_breakdown(two_scenarios(), MONEY_GIVEN_AWAY, change_weeks={"nps_bonus": [4]})
    titles = [axes.get_title() for axes in figure.axes if axes.get_visible()]
    assert titles == ["baseline", "nps_bonus"]
    labels = legend_labels(figure)
    for metric in MONEY_GIVEN_AWAY:
        assert f"{METRIC_BY_NAME[metric].label} (mean)" in labels


def test_breakdown_refuses_metrics_of_different_units():
    with pytest.raises(ValueError, match="one unit"):
        plot_breakdown(two_scenarios(), ["savvy_share", "concession_cost"])


def test_panel_groups_name_ledger_metrics():
    for metric in (*MONEY_GIVEN_AWAY, *TACTICS, *PEOPLE):
        assert metric in METRIC_NAMES


def test_figures_name_what_they_cannot_draw():
    with pytest.raises(ValueError, match="'savvy_shares'"):
        plot_metrics(two_scenarios(), ["savvy_shares"])
    with pytest.raises(ValueError, match="empty"):
        plot_metrics(two_scenarios().iloc[:0], ["savvy_share"])
    with pytest.raises(ValueError, match="at least one"):
        plot_breakdown(two_scenarios(), [])


def test_a_single_week_is_drawn_as_a_point():
    figure = plot_metrics(as_timeseries(weekly_frame(1)), ["savvy_share"])
    assert figure.axes[0].lines[0].get_marker() == "o"


def test_interval_figure_draws_each_estimate_beside_the_published_range():
    estimates = pd.DataFrame(
        {"label": ["a", "b"], "mean": [0.2, 0.3], "ci_low": [0.1, 0.25], "ci_high": [0.3, 0.35]}
    )
    figure = plot_intervals(estimates, "Shares", "share (0-1)", expected=(0.25, 0.28))
    axes = figure.axes[0]
    assert [tick.get_text() for tick in axes.get_yticklabels()] == ["a", "b"]
    labels = axes.get_legend_handles_labels()[1]
    assert "published range" in labels and "model: mean and 95% interval" in labels


def test_interval_figure_says_which_columns_are_missing():
    with pytest.raises(ValueError, match="ci_high"):
        plot_intervals(pd.DataFrame({"label": ["a"], "mean": [1.0], "ci_low": [0.0]}), "t", "x")
