"""Grouping a design's changed policy paths into elements, and their combinations."""

import pytest

from npssim.errors import InputError
from npssim.experiment.elements import (
    ELEMENTS,
    check_decomposable,
    combinations,
    decomposition_hint,
    policy_elements,
)
from npssim.scenario import load_scenario, with_overrides


def test_well_designed_bonus_groups_into_its_elements():
    elements = policy_elements(load_scenario("well_designed_bonus"), load_scenario("baseline"))
    assert [element.key for element in elements] == [
        "sampler",
        "rep_weight",
        "manager_weight",
        "audits",
        "caps",
        "follow_up",
    ]
    caps = elements[4]
    assert caps.paths == (
        "policy.concessions.approval_threshold",
        "policy.concessions.discount_cap",
        "policy.concessions.giveaway_budget",
    )
    assert caps.changes[1] == ("policy.concessions.discount_cap", 0.2, 0.12)
    text = elements[1].describe()
    assert text == "share of variable pay on NPS: 0 → 0.2"


def test_elements_follow_the_table_and_fall_back_to_the_subsection():
    policy = load_scenario("well_designed_bonus")
    baseline = load_scenario("baseline")
    without_audits = tuple(spec for spec in ELEMENTS if spec.key != "audits")
    elements = policy_elements(policy, baseline, without_audits)
    fallback = [element for element in elements if element.key == "audits"]
    assert len(fallback) == 1
    assert fallback[0].label == "other policy.audits values"
    assert fallback[0].paths == ("policy.audits.probability",)
    # Every changed path is in exactly one element, whatever the table.
    every = [path for element in elements for path in element.paths]
    assert sorted(every) == sorted(
        path for element in policy_elements(policy, baseline) for path in element.paths
    )
    assert len(every) == len(set(every))


def test_a_change_in_one_path_of_an_element_makes_it_an_element():
    baseline = load_scenario("baseline")
    policy = with_overrides(baseline, {"policy.incentives.floor_nps": -20.0})
    (element,) = policy_elements(policy, baseline)
    assert element.key == "target"
    assert element.changes == (("policy.incentives.floor_nps", 0.0, -20.0),)


def test_combinations_switch_each_subset_and_the_last_is_the_policy():
    policy = load_scenario("third_party_survey")
    baseline = load_scenario("baseline")
    elements = policy_elements(policy, baseline)
    points = combinations(elements)
    assert len(points) == 2 ** len(elements)
    assert points[0] == {}
    for index, element in enumerate(elements):
        assert points[1 << index] == element.values
    whole = with_overrides(baseline, points[-1])
    assert whole.policy == policy.policy


def test_decomposable_refuses_a_timeline_the_same_policy_too_many_and_another_firm():
    baseline = load_scenario("baseline")
    with pytest.raises(InputError, match="timeline"):
        check_decomposable(load_scenario("intervention_week26"), baseline)
    with pytest.raises(InputError, match="nothing to decompose"):
        check_decomposable(load_scenario("baseline", {"name": "copy"}), baseline)
    with pytest.raises(InputError, match="at most 2"):
        check_decomposable(load_scenario("well_designed_bonus"), baseline, max_elements=2)
    other_firm = load_scenario("nps_bonus", {"firm.managers": 3})
    with pytest.raises(InputError, match="--different-firms"):
        check_decomposable(other_firm, baseline)
    (element,) = check_decomposable(other_firm, baseline, different_firms=True)
    assert element.key == "rep_weight"


def test_a_hint_names_the_elements_of_a_design_of_several():
    baseline = load_scenario("baseline")
    hint = decomposition_hint(load_scenario("third_party_survey"), baseline)
    assert hint is not None
    assert "3 elements (who picks the sample, anonymity of answers, reps' pay on NPS)" in hint
    assert "npssim decompose third_party_survey --baseline baseline" in hint
    assert decomposition_hint(load_scenario("nps_bonus"), baseline) is None  # one element
    assert decomposition_hint(load_scenario("intervention_week26"), baseline) is None
