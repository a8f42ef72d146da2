"""One verdict rule and one tile vocabulary, as every table, tile and page uses them."""

import math

import pytest

from npssim.metrics import METRIC_BY_NAME, METRICS
from npssim.report.tables import format_value
from npssim.report.vocabulary import (
    BETTER,
    CONTEXT,
    NO_CLEAR_CHANGE,
    SHOWN,
    UNIT_TERMS,
    VERDICT_TERMS,
    WORSE,
    format_span,
    judge,
    make_tile,
    resolution,
)


@pytest.mark.parametrize(
    ("mean", "low", "high", "better", "expected"),
    [
        (2.0, 1.0, 3.0, "higher", BETTER),
        (-2.0, -3.0, -1.0, "higher", WORSE),
        (-2.0, -3.0, -1.0, "lower", BETTER),
        (2.0, 1.0, 3.0, "lower", WORSE),
        (1.0, -1.0, 3.0, "higher", NO_CLEAR_CHANGE),
        (0.0, 0.0, 0.0, "higher", NO_CLEAR_CHANGE),  # a degenerate interval at zero
        (2.0, math.nan, math.nan, "higher", NO_CLEAR_CHANGE),  # one replication
        (2.0, 1.0, 3.0, None, ""),  # no better direction: no verdict
    ],
)
def test_the_rule_says_better_worse_or_no_clear_change(mean, low, high, better, expected):
    assert judge(mean, low, high, better, "NPS points") == expected


@pytest.mark.parametrize(
    ("unit", "name"),
    [("share", "retention_rate"), ("NPS points", "true_nps"), ("currency", "net_value"),
     ("accounts", "churned_accounts"), ("AUC", "signal_validity")],
)  # fmt: skip
def test_a_difference_that_rounds_to_zero_as_shown_is_no_clear_change(unit, name):
    metric = METRIC_BY_NAME[name]
    assert metric.unit == unit
    tiny = -0.4 * resolution(unit)
    # The interval excludes zero, but the difference shows as zero: "0.0 pp" is not "worse".
    assert judge(tiny, 1.1 * tiny, 0.9 * tiny, metric.better, unit) == NO_CLEAR_CHANGE
    assert not any(digit in format_value(metric, tiny, difference=True) for digit in "123456789")
    # One display step away is a change the tables show, and the rule judges it.
    step = -resolution(unit)
    assert judge(step, 1.1 * step, 0.9 * step, metric.better, unit) in (BETTER, WORSE)
    assert any(digit in format_value(metric, step, difference=True) for digit in "123456789")


def test_every_unit_of_the_registry_has_its_display_precision():
    for metric in METRICS:
        half = resolution(metric.unit) / 2.5
        assert not any(d in format_value(metric, half, difference=True) for d in "123456789")


@pytest.mark.parametrize(
    ("name", "value", "span"),
    [
        ("net_value", "-3.80M EUR", "-4.20M to -3.40M EUR"),
        ("retention_rate", "-1.2 pp", "-1.5 to -0.9 pp"),
        ("true_nps", "+2.0 points", "+1.0 to +3.0 points"),
        ("churned_accounts", "+12", "+10 to +14"),
    ],
)
def test_a_tile_reads_in_its_metrics_unit(name, value, span):
    numbers = {
        "net_value": (-3.8e6, -4.2e6, -3.4e6),
        "retention_rate": (-0.012, -0.015, -0.009),
        "true_nps": (2.0, 1.0, 3.0),
        "churned_accounts": (12.0, 10.0, 14.0),
    }[name]
    tile = make_tile(METRIC_BY_NAME[name], *numbers, "EUR")
    assert (tile.value, tile.interval) == (value, span)
    assert tile.verdict in (BETTER, WORSE)
    assert (tile.mean, tile.low, tile.high) == numbers


def test_tiles_of_what_the_survey_shows_and_of_context_carry_no_verdict():
    shown = make_tile(METRIC_BY_NAME["reported_nps"], 10.0, 8.0, 12.0)
    assert shown.verdict == SHOWN and "what the survey would show" in shown.note
    given = make_tile(METRIC_BY_NAME["money_given_away"], 2e5, 1e5, 3e5, "USD")
    assert given.verdict == CONTEXT


def test_no_interval_says_so():
    assert format_span(METRIC_BY_NAME["net_value"], math.nan, math.nan) == (
        "no interval (one replication)"
    )


def test_the_glossary_explains_percentage_points_and_every_verdict_word():
    assert "percentage points" in UNIT_TERMS["pp"].lower()
    assert {BETTER, WORSE, NO_CLEAR_CHANGE, SHOWN, CONTEXT} <= set(VERDICT_TERMS)


def test_every_report_glossary_explains_pp_and_a_comparison_s_its_verdict_words():
    from npssim.experiment.reporting import glossary
    from npssim.report.document import Document

    for verdicts in (False, True):
        document = Document("probe")
        glossary(document, verdicts=verdicts)
        text = document.to_markdown()
        assert "| pp " in text and "Percentage points" in text
        assert ("| no clear change " in text) == verdicts


def test_tiles_html_shows_the_verdicts_word_and_no_word_for_context():
    from npssim.report.document import Document

    document = Document("probe")
    document.tiles(
        [("Renewals kept", "0.0 pp", "-0.0 to -0.0 pp", NO_CLEAR_CHANGE, ""),
         ("Money given away", "+2.00M", "", CONTEXT, "")]
    )  # fmt: skip
    html = document.to_html()
    assert '<div class="tile unclear">' in html and ">no clear change</div>" in html
    assert '<div class="tile context">' in html and ">context</div>" not in html


def test_the_money_given_away_splits_into_what_was_traded_for_scores_and_the_rest():
    from npssim.report.vocabulary import given_away_note

    # More traded for scores than the total grew: ordinary discounts fell (fewer customers).
    assert given_away_note(3.76e6, 4.07e6, "USD") == (
        "+4.07M USD traded for scores, -310k USD ordinary discounts (which keep customers)"
    )
    assert given_away_note(math.nan, 1.0) == "traded for scores: n/a"
