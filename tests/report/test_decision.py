"""The decision summary, the policy matrix and who wins and who loses, from hand-made rows."""

import math

import pandas as pd

from npssim.experiment.analysis import Interval, verdict
from npssim.metrics import DECISION, METRIC_BY_NAME, STAKEHOLDERS
from npssim.report.decision import (
    policy_matrix,
    policy_verdicts,
    stakeholder_rows,
    verdict_line,
)

CURRENCIES = {"baseline": "EUR", "bonus": "EUR", "careful": "EUR"}


def _row(scenario, metric, difference, low, high, verdict="", baseline_mean=0.0):
    return {
        "scenario": scenario,
        "baseline": "baseline",
        "horizon": "long",
        "first_week": 52,
        "last_week": 103,
        "metric": metric,
        "baseline_mean": baseline_mean,
        "mean": baseline_mean + difference,
        "difference": difference,
        "ci_low": low,
        "ci_high": high,
        "n": 20,
        "verdict": verdict,
    }


def comparison(net_bonus=(-3.8e6, -4.2e6, -3.4e6), net_careful=(1.2e6, 0.9e6, 1.5e6)):
    """Two policies against a baseline whose gross margin is 220M a year."""
    rows = []
    for name, net in (("bonus", net_bonus), ("careful", net_careful)):
        verdict = "better" if net[1] > 0 else "worse" if net[2] < 0 else "no clear change"
        rows += [
            _row(name, "net_value", *net, verdict),
            _row(name, "gross_margin", net[0], net[1], net[2], verdict, baseline_mean=220e6),
            _row(name, "reported_nps", 10.0 if name == "bonus" else 1.0, 8, 12),
            _row(name, "true_nps", -1.0 if name == "bonus" else 2.0, -1.5, 2.5, "worse"),
            _row(name, "retention_rate", -0.012, -0.015, -0.009, "worse"),
            _row(name, "money_given_away", 2e6, 1.5e6, 2.5e6, "worse"),
            _row(name, "honest_rep_share", -0.03, -0.06, 0.01, "no clear change"),
            _row(name, "concession_cost", 1e5, 8e4, 1.2e5, "worse"),
            _row(name, "rep_stress", 0.2, 0.19, 0.21, "worse"),
        ]
    return pd.DataFrame(rows)


def test_a_losing_policy_reads_as_a_cost_with_its_share_of_margin_and_interval():
    line = policy_verdicts(comparison(), CURRENCIES)[0].line
    assert line.startswith("**bonus** costs the firm 3.80M EUR a year (1.7% of its gross margin)")
    assert "95% interval -4.20M to -3.40M EUR" in line


def test_the_verdict_line_contrasts_the_survey_with_customers_real_opinion():
    line = policy_verdicts(comparison(), CURRENCIES)[0].line
    assert "the NPS the survey reports would rise 10.0 points while customers' real NPS" in line
    assert line.endswith("falls 1.0 point.")


def test_an_interval_across_zero_is_no_clear_difference_not_a_gain():
    rows = comparison(net_careful=(0.2e6, -0.1e6, 0.5e6))
    careful = policy_verdicts(rows, CURRENCIES)[1]
    assert "makes no clear difference to the firm's money" in careful.line


def test_tiles_follow_the_decision_view_and_mark_the_survey_as_what_it_shows():
    tiles = policy_verdicts(comparison(), CURRENCIES)[0].tiles
    assert [tile.metric for tile in tiles] == [name for name in DECISION]
    survey = next(tile for tile in tiles if tile.metric == "reported_nps")
    assert survey.verdict == "shown" and "what the survey would show" in survey.note
    assert next(tile for tile in tiles if tile.metric == "net_value").value == "-3.80M EUR"
    assert next(tile for tile in tiles if tile.metric == "retention_rate").value == "-1.2 pp"


def test_the_matrix_sorts_policies_by_net_money_after_the_reference():
    matrix = policy_matrix(comparison(), CURRENCIES)
    assert list(matrix["policy"]) == ["baseline (reference)", "careful", "bonus"]
    money = matrix.columns[1]
    assert money == "The firm's net money (EUR a year)"
    assert matrix.loc[1, money] == "+1.20M EUR better"
    assert matrix.loc[2, money] == "-3.80M EUR worse"
    assert matrix.loc[2, "Honest reps (pp)"].endswith("no clear change")


def test_stakeholders_read_each_change_from_that_partys_side():
    rows = stakeholder_rows(comparison(), "bonus", "EUR").set_index("name")
    assert rows.loc["net_value", "party"] == "The firm"
    assert rows.loc["net_value", "for them"] == "worse"
    # A concession costs the firm and is better for the powerful customer who receives it.
    assert rows.loc["concession_cost", "party"] == "Powerful customers"
    assert rows.loc["concession_cost", "for them"] == "better"
    assert rows.loc["concession_cost", "for the firm"] == "worse"
    assert rows.loc["rep_stress", "for them"] == "worse"
    assert rows.loc["honest_rep_share", "for them"] == "no clear change"


def test_the_stakeholder_table_never_contradicts_the_verdict():
    """Where a party wants what the firm wants, its word is the verdict every table shows."""
    frame = comparison()
    bonus = frame[frame["scenario"] == "bonus"].set_index("metric")
    rows = stakeholder_rows(frame, "bonus", "EUR").set_index("name")
    directions = {name: better for items in STAKEHOLDERS.values() for name, better in items}
    for name, row in rows.iterrows():
        numbers = bonus.loc[name, ["difference", "ci_low", "ci_high"]].astype(float)
        shown = verdict(name, Interval(*numbers, sd=1.0, n=20))  # what the comparison table says
        assert row["for the firm"] == shown, name
        if directions[name] == METRIC_BY_NAME[name].better:
            assert row["for them"] == shown, name
        assert {row["for them"], row["for the firm"]} <= {"better", "worse", "no clear change", ""}


def test_a_difference_that_rounds_to_zero_is_no_clear_change_in_every_table():
    """0.0 pp ± 0.0 pp is not "worse": not in the tiles, the matrix or the stakeholder table."""
    frame = comparison()
    tiny = (frame["scenario"] == "bonus") & (frame["metric"] == "retention_rate")
    frame.loc[tiny, ["difference", "ci_low", "ci_high", "verdict"]] = (
        -3e-5, -4e-5, -2e-5, "no clear change"
    )  # fmt: skip
    tiles = policy_verdicts(frame, CURRENCIES)[0].tiles
    retention = next(tile for tile in tiles if tile.metric == "retention_rate")
    assert retention.value == "0.0 pp" and retention.verdict == "no clear change"
    matrix = policy_matrix(frame, CURRENCIES)
    assert matrix.iloc[2]["Renewals kept (pp)"] == "0.0 pp no clear change"


def test_money_given_away_is_context_and_names_the_part_traded_for_scores():
    """Ordinary discounts on customers kept are not "worse": the tile has no verdict."""
    frame = pd.DataFrame(
        [
            *comparison().to_dict("records"),
            _row("bonus", "giveaway_cost", 3e5, 2e5, 4e5, "worse"),
            _row("bonus", "bribe_cost", 1e4, 0.0, 2e4, "no clear change"),
            _row("bonus", "score_discount_cost", 5e5, 4e5, 6e5, "worse"),
        ]
    )
    given = next(
        tile
        for tile in policy_verdicts(frame, CURRENCIES)[0].tiles
        if tile.metric == "money_given_away"
    )
    assert given.verdict == "context" and given.value == "+2.00M EUR"
    # concessions 100k + free services 300k + gifts 10k + discounts traded for scores 500k
    assert given.note == (
        "+910k EUR traded for scores, +1.09M EUR ordinary discounts (which keep customers)"
    )
    matrix = policy_matrix(frame, CURRENCIES)
    assert matrix.iloc[2]["Money given away (EUR a year)"] == "+2.00M EUR"


def test_every_party_has_metrics_in_the_registry():
    assert set(STAKEHOLDERS) == {
        "The firm", "Reps", "Customers", "Powerful customers", "Managers"
    }  # fmt: skip
    assert all(items for items in STAKEHOLDERS.values())


def test_one_replication_says_it_has_no_interval_and_claims_no_verdict():
    rows = {"net_value": pd.Series(_row("bonus", "net_value", -1e6, math.nan, math.nan))}
    line = verdict_line(rows, "bonus", "USD")
    assert "makes no clear difference" in line
    assert "no interval (one replication)" in line and "n/a" not in line
