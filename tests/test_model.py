import random

import numpy as np
import pandas as pd
import pytest

from npssim import METRIC_NAMES, NPSModel, ScenarioError, load_scenario
from npssim.agents.accounts import Account, AccountBook
from npssim.agents.managers import Manager
from npssim.agents.reps import RepRoster, SalesRep
from npssim.metrics import POWERFUL_SHARE
from npssim.tactics import TACTICS

from .conftest import NO_TACTICS, tiny_scenario


def switched_on(*tactics: str) -> dict[str, float]:
    """Reps who believe ``tactics`` work wonders, feel nothing using them and never unlearn."""
    return {
        "reps.prior_weight": 1_000.0,
        **{f"reps.prior_belief.{tactic}": 200.0 for tactic in tactics},
        **{f"reps.moral_weight.{tactic}": 0.0 for tactic in tactics},
    }


CUMULATIVE = [
    "concession_cost",
    "giveaway_cost",
    "bribe_cost",
    "revenue",
    "churned_accounts",
    "bonus_paid",
    "unearned_bonus",
    "rep_turnover",
]


def test_datacollector_has_exactly_the_metric_columns(run_tiny):
    model = run_tiny()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(METRIC_NAMES)
    assert len(frame) == 52


def test_ledger_is_the_last_week(run_tiny):
    model = run_tiny("nps_bonus")
    last = model.metrics_frame().iloc[-1].to_dict()
    assert model.ledger() == pytest.approx(last, nan_ok=True)


def test_nps_stays_within_bounds(run_tiny):
    frame = run_tiny("nps_bonus").metrics_frame()
    for column in ("reported_nps", "true_nps"):
        values = frame[column].dropna()
        assert values.between(-100, 100).all()


def test_costs_are_non_negative_and_cumulative(run_tiny):
    frame = run_tiny("rank_and_yank").metrics_frame()
    for column in CUMULATIVE:
        assert (frame[column] >= 0).all(), column
        assert (frame[column].diff().dropna() >= 0).all(), column


def test_shares_are_shares(run_tiny):
    frame = run_tiny("nps_bonus").metrics_frame()
    for column in (
        "response_rate",
        "share_cherry_picked",
        "share_coached",
        "share_bribed",
        "share_hostage",
        "retention_rate",
        "genuine_effort",
        "savvy_share",
        "honest_rep_share",
        "rep_stress",
    ):
        values = frame[column].dropna()
        assert values.between(0, 1).all(), column


def test_accounts_are_conserved(run_tiny):
    model = run_tiny("nps_bonus")
    ledger = model.ledger()
    assert ledger["accounts_active"] + ledger["churned_accounts"] == len(model.book)
    assert ledger["accounts_active"] == model.book.active.sum()
    accounts = model.agents_by_type[Account]
    assert len(accounts) == ledger["accounts_active"]


def test_agents_are_mesa_agents(run_tiny):
    model = run_tiny()
    assert len(model.agents_by_type[SalesRep]) == 8
    assert len(model.agents_by_type[Manager]) == 2


def registered_accounts(model: NPSModel) -> list[Account]:
    """The account agents registered with Mesa, read without making any."""
    import mesa

    registered = mesa.Model.agents_by_type.fget(model)
    return list(registered.get(Account, []))


def test_building_the_firm_registers_no_account_agents():
    model = NPSModel(tiny_scenario("nps_bonus"), seed=3)
    assert registered_accounts(model) == []


def test_only_accounts_that_made_a_demand_have_agents_and_only_while_customers():
    conceding = {
        "accounts.demand_rate": 1.0,
        "accounts.initial_savvy_share": 0.3,
        **switched_on("concede"),
    }
    model = NPSModel(tiny_scenario("nps_bonus", conceding), seed=3)
    model.run()
    registered = registered_accounts(model)
    assert model.ledger()["concession_cost"] > 0
    assert 0 < len(registered) < model.ledger()["accounts_active"] / 2
    assert all(account.active and model.book.savvy[account.row] > 0 for account in registered)


def test_an_account_agent_is_made_once_on_request():
    model = NPSModel(tiny_scenario(), seed=0)
    account = model.account(5)
    assert account is model.account(5)
    assert account.row == 5 and account.acv == model.book.acv[5]
    assert registered_accounts(model) == [account]


def test_asking_for_an_account_outside_the_book_is_an_index_error():
    model = NPSModel(tiny_scenario(), seed=0)
    with pytest.raises(IndexError, match="no account at row 200"):
        model.account(200)


def test_churned_accounts_agents_leave_the_model():
    model = NPSModel(tiny_scenario(), seed=0)
    assert len(model.agents_by_type[Account]) == 200
    model.run()
    registered = registered_accounts(model)
    assert len(registered) < 200  # some churned
    assert all(account.active for account in registered)


def test_same_seed_same_results():
    first = NPSModel(tiny_scenario("nps_bonus"), seed=7).run()
    second = NPSModel(tiny_scenario("nps_bonus"), seed=7).run()
    pd.testing.assert_frame_equal(first, second)


def test_different_seeds_differ():
    first = NPSModel(tiny_scenario("nps_bonus"), seed=7).run()
    second = NPSModel(tiny_scenario("nps_bonus"), seed=8).run()
    assert not first.equals(second)


def test_global_random_state_is_not_used():
    np.random.seed(1)  # noqa: NPY002 - deliberately disturbing the global state
    random.seed(1)
    first = NPSModel(tiny_scenario("nps_bonus"), seed=3).run()
    np.random.seed(2)  # noqa: NPY002 - deliberately disturbing the global state
    random.seed(2)
    second = NPSModel(tiny_scenario("nps_bonus"), seed=3).run()
    pd.testing.assert_frame_equal(first, second)


def test_seed_defaults_to_scenario_seed():
    model = NPSModel(tiny_scenario("baseline", {"run.seed": 11}))
    assert model.seed == 11


def test_indicator_only_has_no_gaming(run_tiny):
    frame = run_tiny("baseline").metrics_frame()
    for column in (
        "share_cherry_picked",
        "share_coached",
        "share_bribed",
        "bribe_cost",
        "giveaway_cost",
        "bonus_paid",
    ):
        assert frame[column].fillna(0).max() == 0.0, column
    share = tiny_scenario("baseline").reps.service_share
    assert frame["genuine_effort"].to_numpy() == pytest.approx(share)


def test_no_cherry_picking_under_random_sampling(run_tiny):
    frame = run_tiny("nps_bonus", {"policy.survey.sampler": "random"}).metrics_frame()
    assert frame["share_cherry_picked"].max() == 0.0


def test_reps_cherry_pick_when_they_pick_and_are_paid(run_tiny):
    frame = run_tiny("nps_bonus").metrics_frame()
    assert frame["share_cherry_picked"].max() > 0.0


def test_no_hostage_taking_without_savvy_accounts(run_tiny):
    frame = run_tiny("nps_bonus", {"accounts.initial_savvy_share": 0.0}).metrics_frame()
    assert frame["share_hostage"].max() == 0.0
    assert frame["concession_cost"].max() == 0.0
    assert frame["savvy_share"].max() == 0.0


def test_no_hostage_taking_without_powerful_accounts(run_tiny):
    frame = run_tiny(
        "nps_bonus", {"accounts.outside_options_mean": 0.0, "accounts.initial_savvy_share": 0.5}
    ).metrics_frame()
    assert frame["share_hostage"].max() == 0.0


def test_savvy_accounts_take_hostages_under_pay(run_tiny):
    frame = run_tiny("nps_bonus", {"accounts.initial_savvy_share": 0.5}).metrics_frame()
    assert frame["share_hostage"].max() > 0.0
    assert frame["concession_cost"].iloc[-1] > 0.0


def test_savvy_spreads_under_pay_and_fades_without(run_tiny):
    overrides = {"accounts.initial_savvy_share": 0.03, "run.weeks": 104, **switched_on("concede")}
    paid = run_tiny("nps_bonus", overrides, seed=1).metrics_frame()["savvy_share"]
    indicator = run_tiny("baseline", overrides, seed=1).metrics_frame()["savvy_share"]
    assert paid.iloc[-1] > paid.iloc[0]
    assert indicator.iloc[-1] < indicator.iloc[0]


def test_bribes_cost_money_only_when_used(run_tiny):
    off = run_tiny("nps_bonus", {"reps.prior_belief.bribe": 0.0}).ledger()
    on = run_tiny("nps_bonus", switched_on("bribe")).ledger()
    assert off["bribe_cost"] == 0.0 and off["share_bribed"] == 0.0
    assert on["bribe_cost"] > 0.0


def test_giveaways_are_paid_by_the_firm(run_tiny):
    model = run_tiny("nps_bonus", {**NO_TACTICS, **switched_on("giveaway")})
    ledger = model.ledger()
    assert ledger["giveaway_cost"] > 0.0
    assert ledger["gross_margin"] == pytest.approx(
        ledger["revenue"] * model.params.firm.gross_margin_rate
        - ledger["giveaway_cost"]
        - ledger["concession_cost"]
        - ledger["bribe_cost"]
    )


#: Nobody leaves, nobody games, tactics cost no time and anger nobody, and neither effort nor
#: the quality of service responds to the stake: only what a test switches back on can move the
#: scores.
NO_LEAVERS = {
    "reps.base_quit_rate": 0.0,
    "reps.stress_quit_rate": 0.0,
    "reps.honest_exit_rate": 0.0,
}
QUIET = {
    **NO_TACTICS,
    **NO_LEAVERS,
    "accounts.initial_savvy_share": 0.0,
    **{f"reps.tactic_hours.{tactic}": 0.0 for tactic in TACTICS},
    "reps.stress_service_loss": 0.0,
    "reps.service_response": 0.0,
    "accounts.resent_probability": 0.0,
}


def test_pleas_raise_reported_not_true_nps(run_tiny):
    quiet = {**QUIET, "accounts.candor_mean": 0.2}
    honest = run_tiny("nps_bonus", quiet, seed=2).metrics_frame()
    coached = run_tiny("nps_bonus", {**quiet, **switched_on("coach")}, seed=2).metrics_frame()
    assert coached["share_coached"].mean() > 0.2
    assert coached["reported_nps"].mean() > honest["reported_nps"].mean() + 5
    pd.testing.assert_series_equal(coached["true_nps"], honest["true_nps"])


def test_churn_unchanged_when_only_reported_scores_are_manipulated(run_tiny):
    quiet = {**QUIET, "run.weeks": 104}
    honest = run_tiny("nps_bonus", quiet, seed=4).metrics_frame()
    gamed = run_tiny(
        "nps_bonus",
        {**quiet, **switched_on("coach", "bribe", "cherry_pick"), "reps.integrity_mean": 0.05},
        seed=4,
    ).metrics_frame()
    assert gamed["nps_inflation"].mean() > honest["nps_inflation"].mean()
    pd.testing.assert_series_equal(gamed["churned_accounts"], honest["churned_accounts"])
    pd.testing.assert_series_equal(gamed["retention_rate"], honest["retention_rate"])


def test_resented_pleas_lower_true_satisfaction(run_tiny):
    base = {**QUIET, **switched_on("coach")}
    calm = run_tiny("nps_bonus", {**base, "accounts.resent_probability": 0.0}, seed=5)
    bitter = run_tiny(
        "nps_bonus",
        {**base, "accounts.resent_probability": 1.0, "accounts.resent_penalty": 2.0},
        seed=5,
    )
    assert bitter.ledger()["true_nps"] < calm.ledger()["true_nps"]


def test_genuine_service_raises_true_nps(run_tiny):
    served = run_tiny("baseline", seed=6).metrics_frame()["true_nps"]
    neglected = run_tiny("baseline", {"firm.service_effect": 0.0}, seed=6).metrics_frame()
    assert neglected["true_nps"].iloc[-13:].mean() < served.iloc[-13:].mean()


def test_gaming_draws_effort_from_service(run_tiny):
    paid = run_tiny("nps_bonus").metrics_frame()["genuine_effort"]
    assert paid.mean() < 1.0


def test_closed_loop_follow_up_raises_true_nps(run_tiny):
    overrides = {"firm.managers": 6, "run.weeks": 104}
    plain = run_tiny("baseline", overrides, seed=3).metrics_frame()
    followed = run_tiny("closed_loop", overrides, seed=3).metrics_frame()
    assert followed["true_nps"].iloc[-26:].mean() > plain["true_nps"].iloc[-26:].mean()


def test_third_party_survey_cuts_inflation(run_tiny):
    overrides = {"firm.managers": 4, "run.weeks": 52}
    rep_picked = run_tiny("nps_bonus", overrides, seed=1).metrics_frame()
    independent = run_tiny("third_party_survey", overrides, seed=1).metrics_frame()
    assert independent["nps_inflation"].mean() < rep_picked["nps_inflation"].mean()
    assert independent["share_cherry_picked"].max() == 0.0


def test_intervention_changes_policy_at_its_week(run_tiny):
    model = run_tiny("intervention_week26", {"run.weeks": 52})
    frame = model.metrics_frame()
    assert model.policy.incentives.nps_weight == 0.5
    assert frame["share_coached"].iloc[:26].fillna(0).max() == 0.0
    assert frame["share_coached"].iloc[26:].max() > 0.0
    assert frame["bonus_paid"].iloc[25] == 0.0
    assert frame["bonus_paid"].iloc[-1] > 0.0


def test_bonus_on_inflated_scores_is_unearned(run_tiny):
    ledger = run_tiny("nps_bonus").ledger()
    assert 0.0 < ledger["unearned_bonus"] <= ledger["bonus_paid"]


def test_rank_and_yank_fires_reps(run_tiny):
    none = run_tiny("nps_bonus", NO_LEAVERS).ledger()
    yanked = run_tiny(
        "rank_and_yank", {**NO_LEAVERS, "policy.incentives.rank_and_yank": 0.5}
    ).ledger()
    assert none["rep_turnover"] == 0.0
    assert yanked["rep_turnover"] > 0.0


def test_audits_cut_inflation(run_tiny):
    # A small firm's score moves a lot from one seed to the next: compare over a few.
    overrides = {"firm.managers": 4, "firm.accounts_per_rep": 40, "run.weeks": 104}

    def inflation(scenario: str, extra: dict[str, float]) -> float:
        frames = [
            run_tiny(scenario, {**overrides, **extra}, seed=seed).metrics_frame()
            for seed in (1, 2, 3, 4)
        ]
        return float(np.mean([frame["nps_inflation"].iloc[-52:].mean() for frame in frames]))

    assert inflation("audited", {"policy.audits.probability": 1.0}) < inflation("nps_bonus", {})


def test_new_accounts_are_acquired_at_a_cost(run_tiny):
    model = run_tiny()
    assert len(model.book) > model.initial_accounts
    assert model.ledger()["acquisition_cost"] > 0.0


def test_signal_validity_is_an_auc(run_tiny):
    model = run_tiny("baseline", {"run.weeks": 104})
    validity = model.ledger()["signal_validity"]
    assert 0.0 <= validity <= 1.0
    assert 0.0 <= model.metrics["latent_signal_validity"] <= 1.0


def test_agent_classes_can_be_swapped_in_a_subclass(tiny):
    class NeverConcedes(SalesRep):
        def consider_concession(self, amount, acv, policy, params, manager, cost, draws):
            return False

    class FirmThatNeverConcedes(NPSModel):
        rep_class = NeverConcedes

    scenario = tiny("nps_bonus", {"accounts.initial_savvy_share": 0.5})
    usual, strict = NPSModel(scenario, seed=2), FirmThatNeverConcedes(scenario, seed=2)
    usual.run()
    strict.run()
    assert all(isinstance(rep, NeverConcedes) for rep in strict.reps)
    assert usual.ledger()["concession_cost"] > 0
    assert strict.ledger()["concession_cost"] == 0


def test_a_closed_model_can_be_garbage_collected():
    import gc
    import weakref

    model = NPSModel(tiny_scenario("nps_bonus"), seed=1)
    model.run(5)
    model.close()
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_a_closed_model_refuses_to_step():
    model = NPSModel(tiny_scenario(), seed=1)
    model.close()
    with pytest.raises(RuntimeError, match="closed"):
        model.step()


def test_book_and_roster_classes_can_be_swapped_in_a_subclass(tiny):
    class NoServiceRoster(RepRoster):
        def serve(self, rng, book, firm, params, book_sizes, surveyed=None):
            return np.zeros(0 if surveyed is None else surveyed.size)

    class TightBook(AccountBook):
        def ask_discount(self, rows, params, exposure):
            ordinary, for_score = super().ask_discount(rows, params, exposure)
            return ordinary * 0.0, for_score * 0.0

    class Custom(NPSModel):
        roster_class = NoServiceRoster
        book_class = TightBook

    scenario = tiny("nps_bonus", {"run.weeks": 52})
    usual, custom = NPSModel(scenario, seed=3), Custom(scenario, seed=3)
    usual.run()
    custom.run()
    assert isinstance(custom.roster, NoServiceRoster) and isinstance(custom.book, TightBook)
    assert custom.ledger()["true_nps"] < usual.ledger()["true_nps"]
    assert custom.ledger()["discount_cost"] < usual.ledger()["discount_cost"]


def test_a_bonus_that_can_move_nothing_real_changes_no_money(run_tiny):
    null = {
        **NO_TACTICS,
        "accounts.initial_savvy_share": 0.0,
        "reps.service_response": 0.0,
        "reps.fear_mean": 0.0,
    }
    without = run_tiny("baseline", null, seed=4).ledger()
    paid = run_tiny("nps_bonus", null, seed=4).ledger()
    weight = load_scenario("nps_bonus").policy.incentives.nps_weight
    # Nothing real moved: the same revenue, and pay only moved from commission to the bonus.
    assert paid["bonus_paid"] > 0.0 and paid["revenue"] == without["revenue"]
    assert paid["commission_paid"] == pytest.approx((1 - weight) * without["commission_paid"])
    moved = paid["bonus_paid"] + paid["commission_paid"] - without["commission_paid"]
    assert paid["net_value"] == pytest.approx(without["net_value"] - moved)


def test_a_stake_in_the_score_buys_discounts_at_renewal(run_tiny):
    indicator = run_tiny("baseline", seed=5).ledger()
    paid = run_tiny("nps_bonus", seed=5).ledger()
    assert paid["discount_rate"] > indicator["discount_rate"] > 0.0
    assert paid["discount_cost"] > indicator["discount_cost"]


def test_no_contract_carries_more_than_the_discount_cap(run_tiny):
    model = run_tiny("rank_and_yank", {"policy.concessions.discount_cap": 0.04}, seed=5)
    active = model.book.active_rows()
    assert model.book.discount[active].max() <= 0.04 + 1e-12


def test_approval_limits_discounts_traded_for_scores(run_tiny):
    loose = run_tiny("nps_bonus", {"policy.concessions.approval_threshold": 1e9}, seed=5)
    strict = run_tiny(
        "nps_bonus",
        {"policy.concessions.approval_threshold": 0.0, "managers.integrity_mean": 1.0},
        seed=5,
    )
    ordinary = strict.params.accounts.power_discount * strict.book.power
    assert strict.book.discount == pytest.approx(np.minimum(ordinary, 0.2))
    assert loose.ledger()["discount_rate"] > strict.ledger()["discount_rate"]


def test_reps_who_leave_disrupt_their_accounts(run_tiny):
    model = run_tiny("rank_and_yank", {"policy.incentives.rank_and_yank": 0.5}, seed=2)
    ledger = model.ledger()
    assert ledger["rep_turnover"] > 0.0 and ledger["disrupted_accounts"] > 0.0
    assert (model.book.disrupted_week >= 0).any()


def test_follow_ups_are_counted_and_paid_for(run_tiny):
    ledger = run_tiny("closed_loop", {"policy.follow_up.call_cost": 100.0}, seed=3).ledger()
    assert ledger["followed_up"] > 0.0
    assert ledger["measurement_cost"] == pytest.approx(100.0 * ledger["followed_up"])


def test_an_independent_survey_firm_charges_per_invitation(run_tiny):
    ledger = run_tiny("third_party_survey", {"policy.survey.third_party_cost": 0.0}).ledger()
    charged = run_tiny("third_party_survey", {"policy.survey.third_party_cost": 10.0}).ledger()
    assert ledger["measurement_cost"] == 0.0 and charged["measurement_cost"] > 0.0


def test_the_same_desk_gets_the_same_new_hires_under_every_policy():
    quitting = {"reps.base_quit_rate": 0.5}
    first = NPSModel(tiny_scenario("baseline", quitting), seed=9)
    second = NPSModel(tiny_scenario("rank_and_yank", quitting), seed=9)
    first.run(13)
    second.run(13)
    both = (first.hires == 1) & (second.hires == 1)
    assert both.any()
    np.testing.assert_array_equal(first.roster.integrity[both], second.roster.integrity[both])


def test_bonus_stress_lowers_service_quality(run_tiny):
    indicator = run_tiny("baseline", seed=1).metrics_frame()
    paid = run_tiny("nps_bonus", seed=1).metrics_frame()
    assert paid["rep_stress"].iloc[-1] > 0.0
    assert (
        paid["service_quality"].iloc[-13:].mean() < indicator["service_quality"].iloc[-13:].mean()
    )


def test_a_manager_who_approves_nothing_holds_discounts_and_concessions(tiny):
    class StrictManager(Manager):
        def approval_chance(self, policy):
            return 0.0

    class StrictFirm(NPSModel):
        manager_class = StrictManager

    scenario = tiny(
        "nps_bonus",
        {
            "policy.concessions.approval_threshold": 0.0,
            "accounts.initial_savvy_share": 0.3,
            **switched_on("concede"),
        },
    )
    usual, strict = NPSModel(scenario, seed=1), StrictFirm(scenario, seed=1)
    usual.run()
    strict.run()
    assert strict.ledger()["concession_cost"] == 0.0 < usual.ledger()["concession_cost"]
    assert strict.ledger()["discount_rate"] < usual.ledger()["discount_rate"]


def test_savvy_stays_a_share_when_the_cap_is_below_the_ordinary_discount(run_tiny):
    model = run_tiny(
        "nps_bonus",
        {"policy.concessions.discount_cap": 0.01, "accounts.initial_savvy_share": 0.5},
        seed=2,
    )
    assert model.book.discount.max() <= 0.01 + 1e-12
    assert model.book.savvy.min() >= 0.0 and model.book.savvy.max() <= 1.0


# ---------------------------------------------------------------------- Mesa-native construction


def test_a_model_without_a_scenario_runs_the_bundled_baseline():
    assert NPSModel().params == load_scenario("baseline")


def test_a_scenario_can_be_named_by_file_or_bundled_name():
    assert NPSModel("nps_bonus").params == load_scenario("nps_bonus")
    assert NPSModel(load_scenario("nps_bonus").model_copy()).params.name == "nps_bonus"


def test_keyword_parameters_by_dotted_path_set_the_scenario():
    model = NPSModel(**{"policy.incentives.nps_weight": 0.3, "reps.integrity_mean": 0.8})
    assert model.params.policy.incentives.nps_weight == 0.3
    assert model.params.reps.integrity_mean == 0.8


def test_keyword_parameters_apply_on_top_of_the_given_scenario():
    model = NPSModel("nps_bonus", **{"policy.audits.probability": 0.5})
    assert model.params.policy.incentives.nps_weight == 0.5  # from nps_bonus.toml
    assert model.params.policy.audits.probability == 0.5


def test_a_float_for_a_whole_number_parameter_is_rounded_as_samplers_give_it():
    model = NPSModel(**{"policy.survey.wave_interval": 3.333, "firm.managers": np.float64(2.5)})
    assert model.params.policy.survey.wave_interval == 3
    assert model.params.firm.managers == 3


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"policy.incentives.nps_wieght": 0.3}, "did you mean 'nps_weight'"),
        ({"policy.incentives.nps_weight": 2.0}, "less than or equal to 1"),
    ],
)
def test_a_bad_keyword_parameter_names_the_model_and_the_parameter(values, needle):
    with pytest.raises(ScenarioError) as caught:
        NPSModel(**values)
    message = str(caught.value)
    assert message.startswith("NPSModel: policy.incentives.") and needle in message
    assert "--set" not in message


def test_the_model_stops_running_after_the_scenario_s_weeks():
    model = NPSModel(tiny_scenario(overrides={"run.weeks": 3}))
    states = []
    for _ in range(3):
        states.append(model.running)
        model.step()
    assert states == [True, True, True] and model.running is False


def test_rng_as_a_whole_number_is_the_seed():
    scenario = tiny_scenario()
    assert NPSModel(scenario, rng=11).seed == 11
    np.testing.assert_array_equal(
        NPSModel(scenario, rng=11).run().to_numpy(), NPSModel(scenario, seed=11).run().to_numpy()
    )


def test_rng_as_a_generator_draws_a_reproducible_seed():
    first = NPSModel(tiny_scenario(), rng=np.random.default_rng(5)).seed
    assert first == NPSModel(tiny_scenario(), rng=np.random.default_rng(5)).seed
    assert first != NPSModel(tiny_scenario(), rng=np.random.default_rng(6)).seed


@pytest.mark.parametrize(
    ("options", "needle"),
    [({"seed": 1, "rng": 1}, "not both"), ({"seed": -1}, "between 0"), ({"seed": 1.5}, "whole")],
)
def test_a_bad_seed_is_refused(options, needle):
    with pytest.raises(ValueError, match=needle):
        NPSModel(tiny_scenario(), **options)


def test_a_model_built_outside_batch_run_is_no_replication():
    assert NPSModel(tiny_scenario()).replication is None


def test_weekly_flows_add_up_to_the_running_totals(run_tiny):
    model = run_tiny("nps_bonus")
    flows, totals = model.metrics_frame(flows=True), model.metrics_frame()
    np.testing.assert_allclose(flows["discount_cost"].cumsum(), totals["discount_cost"])
    assert flows["churned_accounts"].dtype == np.int64
    assert (flows["true_nps"] == totals["true_nps"]).all()


def test_most_concessions_go_to_the_most_powerful_quarter_of_customers(tiny):
    # Demands grow with an account's power over its rep: the powerful quarter gets far more
    # than its share (large demands still need a manager's approval).
    conceding = {"accounts.initial_savvy_share": 0.3, **switched_on("concede")}
    model = NPSModel(tiny("nps_bonus", conceding), seed=5)
    ledger = model.run().iloc[-1]
    assert ledger["concession_cost"] > 0
    assert ledger["concessions_to_powerful"] > 1.5 * POWERFUL_SHARE * ledger["concession_cost"]


def test_the_ledger_collector_collects_what_mesa_s_own_collector_would():
    import mesa

    model = NPSModel(tiny_scenario("nps_bonus"), seed=4)
    mesa_collector = mesa.DataCollector(model_reporters=dict(model.datacollector.model_reporters))
    for _ in range(5):
        model.step()
        mesa_collector.collect(model)
    pd.testing.assert_frame_equal(
        model.datacollector.get_model_vars_dataframe(),
        mesa_collector.get_model_vars_dataframe(),
    )


def test_a_reporter_added_to_the_collector_is_collected_too():
    model = NPSModel(tiny_scenario(), seed=4)
    model.datacollector.model_reporters["week"] = lambda m: m.week
    model.datacollector.model_vars["week"] = []
    model.run(3)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["week"].tolist() == [0, 1, 2]
    assert frame["revenue"].notna().all()


def test_effort_beyond_the_no_stake_share_costs_new_business(tiny):
    scenario = tiny("baseline", {"run.weeks": 1, "firm.selling_elasticity": 1.0})
    model = NPSModel(scenario, seed=1)
    model.step()
    assert model.selling_time() == pytest.approx(1.0)  # nothing at stake: the usual hours
    model.roster.worked[:] = 1.0 - 0.5 * (1.0 - model.params.reps.service_share)
    assert model.selling_time() == pytest.approx(0.5)


def test_less_selling_time_wins_fewer_accounts(tiny):
    def accounts_won(elasticity: float) -> float:
        overrides = {"run.weeks": 52, "firm.selling_elasticity": elasticity}
        model = NPSModel(tiny("nps_bonus", overrides), seed=2)
        frame = model.run()
        return model.book.size - model.initial_accounts, frame["genuine_effort"].mean()

    free, effort = accounts_won(0.0)
    tied, _ = accounts_won(3.0)
    assert effort > NPSModel(tiny("baseline"), seed=2).params.reps.service_share
    assert tied < free


def test_a_poisson_count_by_inverse_cdf_has_its_mean_and_never_falls_as_the_mean_rises():
    from npssim.model import poisson_quantile

    uniforms = np.random.default_rng(0).random(20_000)
    for mean in (0.3, 7.0, 2_000.0):
        counts = np.array([poisson_quantile(u, mean) for u in uniforms])
        assert counts.mean() == pytest.approx(mean, rel=0.02)
        assert counts.var() == pytest.approx(mean, rel=0.08)
    assert poisson_quantile(0.4, 0.0) == 0
    for u in (0.01, 0.5, 0.99):
        assert poisson_quantile(u, 5.0) <= poisson_quantile(u, 6.0)


def test_policies_that_win_more_or_fewer_accounts_win_the_same_first_ones(tiny):
    def won(policy: str) -> pd.DataFrame:
        overrides = {"run.weeks": 104, "firm.selling_elasticity": 1.0}
        model = NPSModel(tiny(policy, overrides), seed=4)
        model.run()
        new = np.flatnonzero(model.book.created_week >= 0)
        frame = pd.DataFrame({"week": model.book.created_week[new], "acv": model.book.acv[new]})
        return frame.groupby("week").first(), len(new)

    (free, fewer_won), (busy, more_won) = won("baseline"), won("nps_bonus")
    weeks = free.index.intersection(busy.index)
    assert len(weeks) > 3 and fewer_won != more_won
    np.testing.assert_array_equal(free.loc[weeks, "acv"], busy.loc[weeks, "acv"])
