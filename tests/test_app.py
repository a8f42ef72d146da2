"""The dashboard's logic: the two firms, paired differences, tiles, verdict, title, controls.

The browser test (test_app_browser.py) drives the served page; these test what it shows.
"""

import itertools

import numpy as np
import pytest

from npssim import NPSModel, load_scenario
from npssim.app import (
    ASSUMPTIONS_GROUP,
    POLICY_GROUP,
    SIDES,
    WITH,
    WITHOUT,
    Comparison,
    ExploreModel,
    View,
    axis_ranges,
    checkbox_label,
    control,
    control_groups,
    dashboard,
    default_settings,
    fitted,
    format_setting,
    how_sure,
    levers,
    make_setup,
    model_params,
    nice_ceiling,
    nps_figure,
    paired_difference,
    setup_line,
    tiles,
    title,
    verdict,
)
from npssim.experiment.analysis import interval
from npssim.metrics import METRIC_NAMES, TRADED_FOR_SCORES
from npssim.report.tables import format_money
from npssim.report.vocabulary import judge
from npssim.scenario import bundled_scenarios, iter_params, validate_scenario
from npssim.seeds import replication_seeds

SMALL = {"firm.managers": 2, "firm.reps_per_manager": 4, "firm.accounts_per_rep": 25}
NPS_WEIGHT = "policy.incentives.nps_weight"


def initial_values(params):
    return {
        name: spec["value"] if isinstance(spec, dict) else spec for name, spec in params.items()
    }


def small(name="intervention_week26"):
    return load_scenario(name, {**SMALL, "run.weeks": 40})


def small_comparison(name="intervention_week26", against=None, replications=3, **levers):
    setup = make_setup(small(name), small(against) if against else None)
    settings = default_settings(setup, seed=5, replications=replications)
    for path, value in levers.items():
        settings = settings.with_lever(path, value)
    return Comparison(setup, settings)


def view_of(with_values, without_values, name="net_value", week=1, weeks=52):
    """A view whose only filled metric is ``name``, at the latest of ``week`` weeks."""
    values = {}
    for side, numbers in ((WITH, with_values), (WITHOUT, without_values)):
        cube = np.zeros((len(numbers), week, len(METRIC_NAMES)))
        cube[:, -1, METRIC_NAMES.index(name)] = numbers
        values[side] = cube
    return View(week, weeks, values)


# ---------------------------------------------------------------------- controls


def test_controls_are_the_schemas_levers_policy_first():
    paths = [info.path for info in levers()]
    assert paths == sorted(paths, key=lambda path: not path.startswith("policy."))
    assert set(paths) == {info.path for info in iter_params() if info.lever}
    assert "policy.incentives.nps_weight" in paths and "reps.integrity_mean" in paths


def test_controls_are_grouped_into_your_policy_and_assumptions_about_your_firm():
    groups = control_groups()
    assert list(groups) == [POLICY_GROUP, ASSUMPTIONS_GROUP]
    assert all(info.path.startswith("policy.") for info in groups[POLICY_GROUP])
    assert not any(info.path.startswith("policy.") for info in groups[ASSUMPTIONS_GROUP])
    assert len(groups[POLICY_GROUP]) + len(groups[ASSUMPTIONS_GROUP]) == len(levers())


def test_every_control_has_a_plain_label_and_a_meaning():
    for info in levers():
        assert info.title != info.path and info.meaning, info.path
        assert control(info, info.default)["label"] == info.title


def test_a_controls_value_reads_in_its_unit():
    by_path = {info.path: info for info in levers()}
    assert format_setting(by_path[NPS_WEIGHT], 0.3) == "30%"
    assert format_setting(by_path["policy.pay.commission_rate"], 0.025) == "2.5% of revenue"
    assert format_setting(by_path["policy.audits.probability"], 0.25) == "25% a quarter"
    assert format_setting(by_path["policy.incentives.rank_and_yank"], 0.1) == "10% a year"
    assert format_setting(by_path["accounts.savvy_spread"], 2.5) == "2.5 accounts per success"
    assert format_setting(by_path["policy.survey.anonymous"], True) == "yes"
    assert format_setting(by_path["policy.survey.sampler"], "rep") == "rep"
    budget = by_path["policy.concessions.giveaway_budget"]
    assert format_setting(budget, 25_000.0, "USD") == "25.0k USD"


def test_no_slider_reads_as_a_bare_decimal():
    for info in levers():
        if info.kind == "float" and info.unit != "currency":
            text = format_setting(info, (info.lower or 0) + 0.123)
            assert text != "0.123" and not text.replace(".", "").isdigit(), info.path


@pytest.mark.parametrize("value", [True, False])
def test_a_switchs_label_states_what_its_box_shows(value):
    anonymous = next(info for info in levers() if info.path == "policy.survey.anonymous")
    assert checkbox_label(value) == format_setting(anonymous, value)


@pytest.mark.parametrize("name", sorted(path.stem for path in bundled_scenarios()))
def test_every_control_starts_inside_its_range(name):
    params = model_params(load_scenario(name, {"policy.concessions.giveaway_budget": 250_000}))
    for info in levers():
        spec = params[info.path]
        if spec["type"].startswith("Slider"):
            assert spec["min"] <= spec["value"] <= spec["max"], info.path
            assert spec["step"] > 0
        elif spec["type"] == "Select":
            assert spec["value"] in spec["values"]


def test_control_kind_follows_the_parameters_type():
    by_path = {info.path: info for info in levers()}
    assert control(by_path["policy.survey.anonymous"], True)["type"] == "Checkbox"
    assert control(by_path["policy.survey.sampler"], "rep")["values"] == [
        "rep",
        "random",
        "third_party",
    ]
    budget = control(by_path["policy.concessions.giveaway_budget"], 25_000.0)
    assert budget["type"] == "SliderFloat" and budget["max"] == 100_000


def test_dashboard_opens_on_the_scenarios_own_intervention():
    params = model_params(load_scenario("intervention_week26"))
    assert params["intervention_week"]["value"] == 26
    assert params["policy.incentives.nps_weight"]["value"] == 0.5


# ---------------------------------------------------------------------- one firm


def test_default_controls_reproduce_the_scenario():
    scenario = small()
    dashboard = ExploreModel(**initial_values(model_params(scenario, seed=3)))
    dashboard.run(30)
    reference = NPSModel(scenario, seed=3)
    reference.run(30)
    assert dashboard.ledger() == reference.ledger()
    assert dashboard.change_weeks == [26]


def test_default_controls_reproduce_a_timeline_of_several_changes():
    data = small().model_dump()
    data["timeline"] = [
        {"week": 10, "set": {"policy.incentives.nps_weight": 0.5}},
        {"week": 20, "set": {"policy.survey.sampler": "third_party"}},
        {"week": 30, "set": {"policy.incentives.nps_weight": 0.0}},
    ]
    scenario = validate_scenario(data)
    dashboard = ExploreModel(**initial_values(model_params(scenario, seed=4)))
    reference = NPSModel(scenario, seed=4)
    for week in range(40):
        dashboard.step()
        reference.step()
        assert dashboard.policy == reference.policy, week
    assert dashboard.ledger() == reference.ledger()
    assert dashboard.change_weeks == [10, 20, 30]


def test_policy_levers_apply_from_the_intervention_week():
    values = initial_values(model_params(small()))
    values.update({"intervention_week": 30, "policy.incentives.nps_weight": 0.8})
    model = ExploreModel(**values)
    model.run(30)
    assert model.policy.incentives.nps_weight == 0.0  # the scenario's week-26 change gave way
    model.step()
    assert model.policy.incentives.nps_weight == 0.8
    assert model.change_weeks == [30]


def test_assumption_levers_apply_from_the_start():
    values = initial_values(model_params(small()))
    values["reps.integrity_mean"] = 0.9
    assert ExploreModel(**values).params.reps.integrity_mean == 0.9


def test_model_stops_at_the_end_of_the_run():
    model = ExploreModel(**initial_values(model_params(small())))
    model.run(39)
    assert model.running
    model.step()
    assert not model.running
    ledger = model.ledger()
    model.run(4)  # a step of several weeks near the end
    assert model.week == 40 and model.ledger() == ledger


# ---------------------------------------------------------------------- the two firms


def test_both_firms_run_replication_i_on_the_same_seed():
    comparison = small_comparison(replications=3)
    expected = replication_seeds(5, 3)
    for side in SIDES:
        assert [model.seed for model in comparison.models[side]] == expected


def test_without_it_is_the_scenarios_starting_policy_held():
    comparison = small_comparison()
    comparison.step(30)
    without = comparison.models[WITHOUT][0]
    assert without.params.timeline == [] and without.policy.incentives.nps_weight == 0.0
    assert comparison.models[WITH][0].policy.incentives.nps_weight == 0.5


def test_the_firms_are_identical_until_the_policy_starts():
    comparison = small_comparison()
    comparison.step(26)
    view = comparison.view()
    assert np.array_equal(view.values[WITH], view.values[WITHOUT], equal_nan=True)
    comparison.step(4)
    view = comparison.view()
    assert not np.array_equal(view.values[WITH], view.values[WITHOUT], equal_nan=True)


def test_against_takes_the_other_scenarios_policy_on_this_firm():
    comparison = small_comparison("nps_bonus", against="well_designed_bonus")
    without = comparison.models[WITHOUT][0].params
    assert without.policy == small("well_designed_bonus").policy
    assert without.firm == small("nps_bonus").firm and without.name == "well_designed_bonus"
    assert comparison.setup.without_name == "well_designed_bonus"


def test_a_policy_that_never_changes_is_compared_with_the_baseline():
    comparison = small_comparison("nps_bonus")
    assert comparison.setup.without_name == "baseline"
    assert comparison.models[WITHOUT][0].params.policy == small("baseline").policy


def test_assumptions_change_both_firms_and_policy_levers_only_one():
    comparison = small_comparison(**{"reps.integrity_mean": 0.9, NPS_WEIGHT: 0.2})
    for side in SIDES:
        assert comparison.models[side][0].params.reps.integrity_mean == 0.9
    comparison.step(27)
    assert comparison.models[WITH][0].policy.incentives.nps_weight == 0.2
    assert comparison.models[WITHOUT][0].policy.incentives.nps_weight == 0.0


def test_stepping_advances_every_model_and_stops_at_the_end():
    comparison = small_comparison(replications=2)
    comparison.step(4)
    assert comparison.week == 4
    assert all(model.week == 4 for side in SIDES for model in comparison.models[side])
    comparison.step(100)
    assert comparison.finished and comparison.week == 40 and comparison.view().week == 40


def test_the_view_holds_each_models_weekly_metrics():
    comparison = small_comparison(replications=2)
    comparison.step(3)
    view = comparison.view()
    frame = comparison.models[WITH][1].metrics_frame()
    assert np.allclose(view.series(WITH, "true_nps")[1], frame["true_nps"].to_numpy())


# ---------------------------------------------------------------------- differences


def test_paired_difference_is_the_interval_of_the_differences():
    with_values, without_values = np.array([10.0, 12.0, 11.0]), np.array([9.0, 10.0, 10.5])
    assert paired_difference(with_values, without_values) == interval([1.0, 2.0, 0.5])


def test_paired_difference_is_narrower_than_the_two_means_intervals():
    shared = np.array([100.0, 140.0, 90.0, 160.0])
    difference = paired_difference(shared + 5.0 + [0.1, -0.1, 0.2, 0.0], shared)
    assert difference.high - difference.low < 1 and difference.low > 0


def test_the_tiles_use_the_one_rule_and_the_reports_words():
    view = view_of([40.0, 42.0, 41.0], [30.0, 31.0, 30.0], name="true_nps")
    real = next(tile for tile in tiles(view) if tile.metric == "true_nps")
    assert real.verdict == judge(real.mean, real.low, real.high, "higher", "NPS points")
    assert real.verdict == "better" and real.value == "+10.7 points"
    # 0.0 pp: the interval excludes zero, the difference rounds away: no clear change.
    tiny = view_of([0.90003, 0.90004, 0.90003], [0.9, 0.9, 0.9], name="retention_rate")
    kept = next(tile for tile in tiles(tiny) if tile.metric == "retention_rate")
    assert kept.low > 0 and kept.value == "0.0 pp" and kept.verdict == "no clear change"


def test_the_money_tile_reads_in_the_firms_currency_with_its_interval():
    view = view_of([-2.0e6, -1.8e6, -1.9e6], [0.0, 0.0, 0.0])
    money = tiles(view, "USD")[0]
    assert money.label == "The firm's net money so far"
    assert money.value == "-1.90M USD" and money.verdict == "worse"
    assert money.interval.startswith("-2.") and money.interval.endswith("M USD")


def test_the_reported_nps_tile_is_marked_as_what_the_survey_would_show():
    view = view_of([40.0, 42.0, 41.0], [30.0, 31.0, 30.0], name="reported_nps")
    shown = next(tile for tile in tiles(view) if "survey" in tile.label)
    assert shown.value == "+10.7 points" and shown.verdict == "shown"
    assert "what the survey would show" in shown.note


def test_money_given_away_is_context_and_names_what_was_traded_for_scores():
    comparison = small_comparison(replications=2, **{NPS_WEIGHT: 1.0})
    comparison.step(40)
    view = comparison.view()
    given = next(tile for tile in tiles(view, "USD") if tile.metric == "money_given_away")
    kinds = ("concession_cost", "giveaway_cost", "bribe_cost", "discount_cost")
    expected = [sum(view.series(side, name)[:, -1] for name in kinds) for side in SIDES]
    assert given.mean == pytest.approx(paired_difference(*expected).mean)
    assert given.verdict == "context"
    traded = paired_difference(*(view.now(side, TRADED_FOR_SCORES) for side in SIDES))
    assert given.note.startswith(f"{format_money(traded.mean, 'USD', signed=True)} traded for")
    rest = format_money(given.mean - traded.mean, "USD", signed=True)
    assert f"{rest} ordinary discounts" in given.note


def test_verdict_says_how_much_less_money_with_its_interval():
    view = view_of([-2.0e6, -1.8e6, -1.9e6], [0.0, 0.0, 0.0], week=52)
    text = verdict(view, "USD")
    assert text.startswith("After 52 weeks, with the policy the firm has made 1.90M USD less")
    assert "95% interval" in text and "USD less, over 3 paired replications" in text


def test_verdict_says_when_there_is_no_clear_difference():
    view = view_of([1.0e6, -1.0e6, 0.5e6], [0.0, 0.0, 0.0], week=10)
    assert "no clear difference in the firm's money" in verdict(view, "USD")


def test_verdict_before_the_policy_starts_says_the_firms_are_the_same():
    text = verdict(view_of([0.0, 0.0], [0.0, 0.0], week=10), "USD", intervention_week=26)
    assert text == (
        "After 10 weeks (the policy starts at week 26), the two firms have made the same money "
        "over 2 paired replications."
    )


def test_verdict_before_the_first_week_asks_to_step():
    assert "press Step" in verdict(View(0, 52, {side: np.zeros((2, 0, 1)) for side in SIDES}), "")


# ---------------------------------------------------------------------- title and axes


def test_title_names_the_policy_in_force_on_each_side():
    setup = make_setup(load_scenario("intervention_week26"))
    assert title(setup, default_settings(setup)) == (
        "nps_bonus from week 26 vs intervention_week26 without it"
    )


def test_title_names_the_levers_changed():
    setup = make_setup(load_scenario("intervention_week26"))
    settings = default_settings(setup).with_lever(NPS_WEIGHT, 0.3)
    assert title(setup, settings) == (
        "nps_bonus from week 26 (changed: share of variable pay on NPS 30%) vs "
        "intervention_week26 without it"
    )


def test_title_names_the_against_scenario():
    setup = make_setup(small("nps_bonus"), small("well_designed_bonus"))
    assert title(setup, default_settings(setup)).endswith(" vs well_designed_bonus")


def test_axes_fit_the_data_and_only_grow_while_the_firms_run():
    comparison = small_comparison(replications=2, **{NPS_WEIGHT: 1.0})
    before = axis_ranges(comparison, comparison.view())
    assert before["week"] == (0.0, 40.0)
    drawn, ranges = [], None
    for _ in range(10):
        comparison.step(4)
        ranges = axis_ranges(comparison, comparison.view(), ranges)
        drawn.append(ranges)
    for earlier, later in itertools.pairwise(drawn):
        for axis in ("nps", "net_difference"):
            assert later[axis][0] <= earlier[axis][0] and later[axis][1] >= earlier[axis][1]
    view = comparison.view()
    nps = np.concatenate([view.series(side, name).ravel() for side in SIDES
                          for name in ("reported_nps", "true_nps")])  # fmt: skip
    low, high = drawn[-1]["nps"]
    assert low <= np.nanmin(nps) and high >= np.nanmax(nps)
    # Fitted, not the old fixed -20 to 80: the axis is not much wider than what it draws.
    assert high - low < 2 * (np.nanmax(nps) - np.nanmin(nps)) + 10
    # Drawing the same weeks again does not widen the axes.
    assert axis_ranges(comparison, view, drawn[-1]) == drawn[-1]


def test_a_fitted_range_holds_the_data_with_a_minimum_span():
    low, high = fitted(12.3, 14.1, 10.0)
    assert low <= 12.3 and high >= 14.1 and high - low >= 10.0
    assert fitted(-3.2e6, 0.0, 1.0)[0] <= -3.2e6


def test_panel_titles_do_not_take_the_lines_colours():
    from matplotlib.colors import to_rgba

    comparison = small_comparison(replications=2)
    comparison.step(4)
    view = comparison.view()
    figure = nps_figure(view, axis_ranges(comparison, view), 26)
    for axes in figure.axes:
        lines = {
            to_rgba(line.get_color()) for line in axes.get_lines() if "NPS" in line.get_label()
        }
        assert len(lines) == 2
        assert to_rgba(axes.title.get_color()) not in lines


def test_the_set_up_line_names_firm_start_window_replications_and_seed():
    setup = make_setup(small())
    line = setup_line(setup, default_settings(setup, seed=7, replications=3))
    assert line == (
        "Set-up: firm of 2 managers, 8 reps, 200 accounts (USD); policy from week 26; window so "
        "far, weeks 0-39; 3 replications per firm, root seed 7; assumptions: not sampled (the "
        "scenario's own values only)."
    )


class FakeSpread:
    """Stands in for npssim.experiment.uncertainty.assumption_spread: records its call."""

    def __init__(self):
        self.calls = []

    def __call__(self, policies, baseline, *, samples, replications=1, seed):
        self.calls.append((policies, baseline, samples, replications, seed))
        return self

    def statement(self, policy):
        return "pays in 3 of 16 plausible firms"


def test_how_sure_runs_the_spread_for_the_policy_as_set_against_its_counterfactual():
    setup = make_setup(small())
    settings = default_settings(setup, seed=9).with_lever(NPS_WEIGHT, 0.3)
    fake = FakeSpread()
    text = how_sure(setup, settings, samples=16, spread=fake)
    assert text == (
        "Against intervention_week26 without it, nps_bonus from week 26 pays in 3 of 16 "
        "plausible firms"
    )
    [(policies, baseline, samples, replications, seed)] = fake.calls
    assert (samples, replications, seed) == (16, 1, 9)
    [policy] = policies
    assert policy.name == "nps_bonus from week 26"
    assert baseline.name == "intervention_week26 without it"
    # The policy is the one the controls set, from the intervention week; the counterfactual
    # is the same firm without it.
    changes = {entry.week: entry.set for entry in policy.timeline}
    assert changes[26][NPS_WEIGHT] == 0.3
    assert not baseline.timeline and baseline.firm == policy.firm


def test_the_how_sure_button_shows_the_statement(monkeypatch):
    import time

    import ipyvuetify as vuetify
    import solara
    import solara.widgets

    import npssim.app.spread as spread

    monkeypatch.setattr(spread, "assumption_spread", FakeSpread())
    _, rendered = solara.render(dashboard(small(), seed=2, replications=2), handle_error=False)

    def text() -> str:
        return " ".join(
            widget.unsafe_innerHTML or "" for widget in rendered.find(solara.widgets.HTML).widgets
        )

    assert "plausible firms" not in text()
    rendered.find(vuetify.Btn, children=[spread.BUTTON]).widget.click()
    deadline = time.monotonic() + 30
    while "pays in 3 of 16 plausible firms" not in text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "nps_bonus from week 26 pays in 3 of 16 plausible firms" in text()
    rendered.close()


@pytest.mark.parametrize(
    ("value", "nice"), [(1.0, 1.0), (1.1, 2.0), (2.2, 2.5), (3.0, 5.0), (7.0, 10.0), (19e6, 20e6)]
)
def test_axis_limits_round_up_to_a_nice_number(value, nice):
    assert nice_ceiling(value) == pytest.approx(nice)


def test_dashboard_builds_an_element_for_jupyter():
    element = dashboard(small(), seed=2, against=small("baseline"), replications=2)
    assert element.kwargs["replications"] == 2 and element.kwargs["against"].name == "baseline"


def test_the_page_renders_and_steps_both_firms():
    import ipyvuetify as vuetify
    import solara
    import solara.widgets

    _, rendered = solara.render(dashboard(small(), seed=2, replications=2), handle_error=False)

    def text() -> str:
        return " ".join(
            widget.unsafe_innerHTML or "" for widget in rendered.find(solara.widgets.HTML).widgets
        )

    assert "Week 0 of 40" in text() and "press Step" in text()
    rendered.find(vuetify.Btn, children=["Step 4 weeks"]).widget.click()
    assert "Week 4 of 40" in text() and "the two firms have made the same money" in text()
    assert WITH in text() and WITHOUT in text() and "data:image/png;base64," in text()
    rendered.close()


def test_explore_refuses_a_missing_against_scenario(capsys, tmp_path):
    from npssim.cli import main

    assert main(["explore", "--against", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope.toml" in err and "no such scenario file" in err


def test_explore_refuses_more_replications_than_the_dashboard_offers(capsys):
    from npssim.app import MAX_REPLICATIONS
    from npssim.cli import main

    assert main(["explore", "--replications", str(MAX_REPLICATIONS + 1)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--replications" in err


def test_a_closed_comparison_no_longer_steps():
    comparison = small_comparison(replications=2)
    comparison.close()
    comparison.step(4)  # the playing thread's last tick after Reset: nothing happens
    assert comparison.week == 0 and comparison.closed
