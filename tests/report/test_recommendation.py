"""The recommendation rule: do, don't or only if, from the verdict, the spread and the flip."""

import math
from types import SimpleNamespace

from npssim.report.decision import PolicyVerdict
from npssim.report.recommendation import (
    DO_SHARE,
    DONT_SHARE,
    best_line,
    recommend,
    recommendations,
)

CLEARLY_UP = {"net": 1.5e6, "low": 1.2e6, "high": 1.8e6, "currency": "EUR"}
CLEARLY_DOWN = {"net": -8.2e6, "low": -9.0e6, "high": -7.4e6, "currency": "EUR"}
UNCLEAR = {"net": 0.1e6, "low": -0.2e6, "high": 0.4e6, "currency": "EUR"}


def test_do_needs_the_interval_above_zero_and_most_plausible_firms_paying():
    item = recommend("closed_loop", **CLEARLY_UP, paying=38, cases=40)
    assert item.action == "do"
    assert item.line == (
        "Do closed_loop: +1.50M EUR a year, 95% interval +1.20M to +1.80M EUR; pays in 38 of "
        "40 plausible firms."
    )
    # Paying in too few plausible firms turns a clear interval into a condition.
    paying = math.ceil(DO_SHARE * 40) - 1
    assert recommend("closed_loop", **CLEARLY_UP, paying=paying, cases=40).action == "only if"


def test_dont_needs_the_interval_below_zero_few_paying_firms_and_no_condition():
    item = recommend("nps_bonus", **CLEARLY_DOWN, paying=2, cases=40)
    assert item.action == "don't"
    assert item.line.startswith("Don't adopt nps_bonus: -8.20M EUR a year, 95% interval")
    assert "pays in 2 of 40 plausible firms, and no condition was found" in item.line
    # A condition under which it pays makes it an "only if", however rarely it pays.
    where = "customers' candour is below 45%"
    conditional = recommend("nps_bonus", **CLEARLY_DOWN, paying=2, cases=40, pays_when=where)
    assert conditional.action == "only if"
    assert conditional.line.startswith(f"nps_bonus only if {where}: -8.20M EUR a year")
    paying = math.floor(DONT_SHARE * 40) + 1
    assert recommend("nps_bonus", **CLEARLY_DOWN, paying=paying, cases=40).action == "only if"


def test_only_if_names_where_it_pays_where_it_loses_or_asks_for_a_trial():
    loses = recommend(
        "design", **UNCLEAR, paying=30, cases=40, loses_when="reps' greed is above 60%"
    )
    assert loses.action == "only if"
    assert loses.line.startswith("design only if you can rule out that reps' greed is above 60%")
    neither = recommend("design", **UNCLEAR, paying=20, cases=40)
    assert neither.line.startswith("design only if a trial in your own firm shows that it pays")


def test_without_a_spread_the_interval_alone_decides():
    assert recommend("a", **CLEARLY_UP).action == "do"
    down = recommend("b", **CLEARLY_DOWN)
    assert down.action == "don't" and "(assumptions not sampled)" in down.line
    assert recommend("c", **UNCLEAR).action == "only if"
    alone = recommend("d", net=1e6, low=math.nan, high=math.nan, paying=40, cases=40)
    assert alone.action == "only if" and "one replication, no interval" in alone.line


def test_the_best_option_is_the_do_that_earns_the_most_or_none():
    items = [
        recommend("well_designed", **{**CLEARLY_UP, "net": 0.9e6, "low": 0.5e6}, paying=36,
                  cases=40),
        recommend("closed_loop", **CLEARLY_UP, paying=38, cases=40),
        recommend("nps_bonus", **CLEARLY_DOWN, paying=0, cases=40),
    ]  # fmt: skip
    line = best_line(items, "baseline")
    assert line.startswith(
        "Best option on this evidence: **closed_loop**, of the policies to adopt the one that earns"
    )
    assert "+1.50M EUR a year against baseline (also to adopt: well_designed)" in line
    assert best_line(items[2:], "baseline").startswith("No policy tried is a clear *do*")


def test_recommendations_read_the_spread_and_its_flip():
    verdict = PolicyVerdict("bonus", "baseline", "line", (), -1e6, -1.5e6, -0.5e6, "USD")
    flip = SimpleNamespace(pays=True, words="customers' candour is below 45%")
    spread = SimpleNamespace(
        policies=["bonus"], pays=lambda policy: (6, 40), flip=lambda policy: flip
    )
    (item,) = recommendations([verdict], spread)
    assert item.line.startswith("bonus only if customers' candour is below 45%:")
    assert "pays in 6 of 40 plausible firms" in item.line
    (plain,) = recommendations([verdict], None)
    assert plain.action == "don't"
