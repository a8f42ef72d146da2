"""The same-firm rule: what counts as the firm, the refusal, and the firm without its policy."""

import pytest

from npssim.errors import InputError
from npssim.experiment.api import make_plan
from npssim.experiment.firms import (
    NAMED_DIFFERENCES,
    check_same_firm,
    counterfactual,
    firm_differences,
)
from npssim.scenario import PolicyParams, Scenario, bundled_scenarios, load_scenario
from npssim.scenario.schema import MAX_NAME_CHARS


def test_every_bundled_scenario_is_the_baselines_firm():
    baseline = load_scenario("baseline")
    for path in bundled_scenarios():
        assert firm_differences(baseline, load_scenario(path)) == [], path.stem


def test_differences_name_the_firm_paths_and_ignore_policy_labels_and_seed():
    base = load_scenario("baseline")
    other = load_scenario(
        "nps_bonus",  # another policy and name: not the firm
        {
            "firm.managers": 4,
            "firm.currency": "EUR",
            "reps.tactic_effect.coach": 0.0,
            "run.weeks": 52,
            "run.seed": 99,
        },
    )
    assert firm_differences(base, other) == [
        "firm.currency",
        "firm.managers",
        "reps.tactic_effect.coach",
        "run.weeks",
    ]
    assert firm_differences(other, base) == firm_differences(base, other)
    timeline = load_scenario("intervention_week26")
    assert firm_differences(base, timeline) == []


def test_refusal_is_one_line_naming_both_the_paths_and_the_flag():
    base = load_scenario("baseline")
    ours = load_scenario(
        "nps_bonus",
        {
            "firm.managers": 4,
            "firm.reps_per_manager": 12,
            "firm.accounts_per_rep": 60,
            "firm.currency": "EUR",
            "accounts.response_rate": 0.3,
            "run.weeks": 52,
        },
    )
    with pytest.raises(InputError) as caught:
        check_same_firm(base, ours)
    message = str(caught.value)
    assert "\n" not in message
    assert "nps_bonus" in message and "baseline" in message
    assert "firm.currency (USD vs EUR)" in message and "firm.managers (10 vs 4)" in message
    hidden = len(firm_differences(base, ours)) - NAMED_DIFFERENCES
    assert f"and {hidden} more" in message
    assert "--different-firms" in message
    check_same_firm(base, ours, different_firms=True)  # said on purpose: nothing raised
    check_same_firm(base, load_scenario("well_designed_bonus"))  # one firm: nothing raised


def test_counterfactual_resets_the_policy_keeps_the_firm_and_its_pay_plan():
    ours = load_scenario(
        "well_designed_bonus",
        {
            "firm.managers": 3,
            "firm.currency": "EUR",
            "policy.pay.base_salary": 60_000.0,
            "policy.pay.plan": "quota",
            "policy.survey.wave_interval": 13,
        },
    )
    without = counterfactual(ours)
    assert without.name == "well_designed_bonus_without_policy"
    assert "well_designed_bonus" in without.description
    assert firm_differences(ours, without) == []
    expected = PolicyParams().model_dump()
    expected["pay"] = ours.policy.pay.model_dump()
    assert without.policy.model_dump() == expected
    assert without.policy.pay.base_salary == 60_000.0 and without.policy.pay.plan == "quota"
    assert without.policy.incentives.nps_weight == 0.0
    assert without.policy.follow_up.closed_loop == 0.0
    assert without.policy.survey.wave_interval == PolicyParams().survey.wave_interval
    assert ours.policy.incentives.nps_weight == 0.2  # the scenario itself is untouched


def test_counterfactual_of_a_timeline_has_no_policy_at_any_week():
    timeline = load_scenario("intervention_week26")
    assert timeline.timeline
    without = counterfactual(timeline)
    assert without.timeline == []
    assert without.policy.incentives.nps_weight == 0.0


def test_counterfactual_of_an_extending_file_is_that_of_the_whole_chain(tmp_path):
    (tmp_path / "our_firm.toml").write_text(
        'extends = "team_target"\nname = "our_firm"\n[firm]\nmanagers = 2\ncurrency = "EUR"\n'
    )
    ours = load_scenario(tmp_path / "our_firm.toml")
    without = counterfactual(ours)
    assert ours.policy.incentives.scope == "team"  # from team_target, through nps_bonus
    assert without.policy.incentives.scope == PolicyParams().incentives.scope
    assert without.policy.incentives.manager_nps_weight == 0.0
    assert without.firm.managers == 2 and without.firm.currency == "EUR"


def test_counterfactual_name_fits_the_schema():
    long = Scenario(name="x" * MAX_NAME_CHARS)
    without = counterfactual(long)
    assert len(without.name) == MAX_NAME_CHARS
    assert without.name.endswith("_without_policy")


def test_plans_of_comparisons_keep_to_one_firm_and_put_the_counterfactual_first():
    other = load_scenario("nps_bonus", {"firm.managers": 3})
    with pytest.raises(InputError, match="--different-firms"):
        make_plan("compare", ["baseline", other], 1, 1, None, None)
    plan = make_plan("compare", ["baseline", other], 1, 1, None, None, different_firms=True)
    assert plan.labels == ["baseline", "nps_bonus"]
    # Built from the scenario as overridden, so a policy value given applies to it alone.
    plan = make_plan(
        "compare",
        ["nps_bonus"],
        1,
        1,
        None,
        {"policy.incentives.nps_weight": 0.3},
        counterfactual=True,
    )
    assert plan.labels == ["nps_bonus_without_policy", "nps_bonus"]
    without, policy = plan.scenarios.values()
    assert policy.policy.incentives.nps_weight == 0.3
    assert without.policy.incentives.nps_weight == 0.0
    assert plan.sources["nps_bonus_without_policy"] == "nps_bonus without its policy"
    with pytest.raises(InputError, match="one scenario"):
        make_plan("compare", ["baseline", "nps_bonus"], 1, 1, None, None, counterfactual=True)


def test_sections_a_model_class_adds_are_left_to_the_researcher():
    from npssim.scenario.schema import Section, param

    class Training(Section):
        hours: float = param(1.0, ge=0, le=40, unit="hours a week", meaning="training per rep")

    schema = Scenario.extended({"training": Training})
    base = load_scenario("baseline", schema=schema)
    trained = load_scenario("baseline", {"training.hours": 3.0}, schema=schema)
    assert firm_differences(base, trained) == []
    check_same_firm(base, trained)  # a lever of the researcher's, not another firm
    wider = load_scenario("baseline", {"training.hours": 3.0, "firm.managers": 4}, schema=schema)
    assert firm_differences(base, wider) == ["firm.managers"]
