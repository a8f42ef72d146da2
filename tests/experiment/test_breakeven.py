"""Break-even analysis: screen, tornado, heatmap, scenario discovery, and what they say."""

from __future__ import annotations

import copy
import json
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import npssim.experiment.breakeven as breakeven
from npssim.errors import InputError
from npssim.experiment import BreakevenResults, run_breakeven
from npssim.experiment.breakeven import (
    INSTALL_HINT,
    PRIM_MAX_DIMENSIONS,
    break_even_values,
    find_box,
    load_prim,
    parse_assumptions,
)
from npssim.experiment.discovery import PrimBox as MovedPrimBox
from npssim.experiment.discovery import find_box as moved_find_box
from npssim.experiment.discovery import load_prim as moved_load_prim
from npssim.experiment.screening import carried, screened_factors
from npssim.report.breakeven import plot_breakeven_map, plot_screen, plot_tornado
from npssim.scenario import load_scenario
from npssim.scenario.schema import iter_params

#: A firm of 4 reps and 80 accounts over 60 weeks: the long run is its last 52.
TINY = {"firm.managers": 1, "firm.reps_per_manager": 4, "firm.accounts_per_rep": 20}
ASSUMPTIONS = ["reps.service_response=0:3", "reps.integrity_mean", "accounts.candor_mean"]
SETTINGS = {
    "replications": 2, "grid": 2, "samples": 10, "weeks": 60, "overrides": TINY, "seed": 5,
    "trajectories": 2, "only_assumed": True,
}  # fmt: skip
#: What the progress bars of the fixture's run were called, stage by stage.
DESCRIPTIONS: list[str] = []


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    out = tmp_path_factory.mktemp("breakeven") / "out"
    real = breakeven.execute_plan

    def recording(plan, **options):
        DESCRIPTIONS.append(options["description"])
        return real(plan, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(breakeven, "execute_plan", recording)
        results = run_breakeven(
            "nps_bonus", "baseline", ASSUMPTIONS, executor="serial", out=out, **SETTINGS
        )
    return results, out


@pytest.fixture(scope="module")
def results(stored):
    return stored[0]


def hand_made(results: BreakevenResults, tornado: pd.DataFrame) -> BreakevenResults:
    """The results with a tornado made by hand (what the statements are read from)."""
    made = copy.copy(results)
    made.__dict__ = {key: value for key, value in results.__dict__.items() if key != "prim"}
    made.__dict__["tornado"] = tornado
    return made


def with_discovery(results: BreakevenResults, pays: np.ndarray, x: np.ndarray):
    made = copy.copy(results)
    made.__dict__ = {k: v for k, v in results.__dict__.items() if k not in ("prim", "discovery")}
    paths = [text.split("=")[0] for text in ASSUMPTIONS]  # x's columns, in this order
    assert sorted(paths) == sorted(results.varied)
    frame = pd.DataFrame({path: x[:, i] for i, path in enumerate(paths)})
    frame["difference"] = np.where(pays, 1.0, -1.0)
    frame["pays"] = pays
    made.__dict__["discovery"] = frame
    return made


def line(path, label, values, differences):
    return pd.DataFrame(
        {
            "assumption": path,
            "label": label,
            "side": ["low", "centre", "high"],
            "value": values,
            "difference": differences,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "n": 2,
        }
    )


def test_tornado_pairs_policy_and_baseline_on_the_same_seeds(results):
    tasks = results.stages["tornado"].plan.tasks()
    seeds = {}
    for task in tasks:
        seeds.setdefault((task.point, task.replication), set()).add(task.seed)
    assert all(len(found) == 1 for found in seeds.values())
    assert {task.label for task in tasks} == {"baseline", "nps_bonus"}


def test_tornado_centre_is_the_paired_long_run_difference_of_compare(results):
    comparison = results.summary_comparison()
    long = comparison[(comparison["horizon"] == "long") & (comparison["metric"] == "net_value")]
    centre = results.tornado[results.tornado["side"] == "centre"]
    assert centre["difference"].iloc[0] == pytest.approx(long["difference"].iloc[0])
    assert centre["ci_low"].iloc[0] == pytest.approx(long["ci_low"].iloc[0])


def test_tornado_moves_each_assumption_to_its_range_ends(results):
    tornado = results.tornado.set_index(["assumption", "side"])
    assert tornado.loc[("reps.service_response", "low"), "value"] == 0.0
    assert tornado.loc[("reps.service_response", "high"), "value"] == 3.0
    assert tornado.loc[("reps.integrity_mean", "high"), "value"] == 0.85  # plausible range
    assert tornado.loc[("reps.integrity_mean", "low"), "label"] == (
        "share of reps who would not game the score even where it pays them"
    )  # what a firm could measure, not the model's name
    assert set(results.tornado["n"]) == {2}


def test_summary_comparison_has_the_format_of_compare(results):
    comparison = results.summary_comparison()
    assert list(comparison.columns) == [
        "scenario", "baseline", "horizon", "first_week", "last_week", "metric",
        "baseline_mean", "mean", "difference", "ci_low", "ci_high", "n", "verdict",
    ]  # fmt: skip
    assert set(comparison["horizon"]) == {"short", "long"}
    assert set(comparison["scenario"]) == {"nps_bonus"}


def test_heatmap_uses_the_two_assumptions_with_the_largest_swing(results):
    widest = list(results.swings().index[:2])
    assert list(results.axes) == widest
    assert len(results.heatmap) == SETTINGS["grid"] ** 2
    assert set(widest) <= set(results.heatmap.columns)
    others = set(results.varied) - set(widest)
    assert not others & set(results.heatmap.columns)


def test_discovery_samples_every_assumption_within_its_range(results):
    discovery = results.discovery
    assert len(discovery) == SETTINGS["samples"]
    for factor in results.factors:
        assert discovery[factor.path].between(factor.lower, factor.upper).all()
    assert (discovery["pays"] == (discovery["difference"] > 0)).all()


def test_break_even_values_interpolate_linearly_between_the_points():
    tornado = line("reps.service_response", "How far", [0.0, 0.3, 1.0], [-10.0, -4.0, 10.0])
    values = break_even_values(tornado).iloc[0]
    assert values["crossing"] == pytest.approx(0.5)
    assert values["pays"] == "above"
    assert values["distance"] == pytest.approx(0.2)


def test_break_even_values_are_missing_when_the_line_keeps_its_sign():
    tornado = line("reps.integrity_mean", "Reps' integrity", [0.45, 0.65, 0.85], [-3.0, -2, -1])
    assert np.isnan(break_even_values(tornado).iloc[0]["crossing"])


def test_flip_condition_names_the_nearest_break_even(results):
    tornado = pd.concat(
        [
            line(
                "reps.service_response",
                "How far reps' effort responds to the stake",
                [0.0, 0.3, 3.0],
                [-10.0, -4.0, 1.0],
            ),
            line("reps.integrity_mean", "Reps' integrity", [0.45, 0.65, 0.85], [-4.1, -4, 1]),
            line("accounts.candor_mean", "Customers' candour", [0.4, 0.6, 0.8], [-5, -4, -3]),
        ]
    )
    sentence = hand_made(results, tornado).flip_condition()
    # integrity crosses at 0.65 + 0.2 * 4 / 5 = 0.81, 0.4 of its range away; service response
    # at 0.3 + 2.7 * 4 / 5 = 2.46, 0.72 of its range away.
    assert sentence == (
        "For nps_bonus to pay, reps' integrity (reps.integrity_mean) would have to be above "
        "0.81 (it is 0.65 here); or, one at a time, how far reps' effort responds to the stake "
        "(reps.service_response) would have to be above 2.46 per unit drive (it is 0.30 per "
        "unit drive here)."
    )


def test_flip_condition_says_when_a_paying_policy_would_lose(results):
    tornado = line("reps.service_response", "How far", [0.0, 0.3, 1.0], [-10.0, 4.0, 10.0])
    sentence = hand_made(results, tornado).flip_condition()
    assert "to lose money" in sentence
    assert "below 0.21" in sentence


def test_no_flip_is_said_in_the_statements(results):
    tornado = line("reps.integrity_mean", "Reps' integrity", [0.45, 0.65, 0.85], [-3.0, -2, -1])
    made = hand_made(results, tornado)
    assert made.flip_condition() is None
    assert any(s.startswith("No single assumption flips") for s in made.statements())


def test_prim_statement_describes_the_box_where_the_policy_pays(results):
    rng = np.random.default_rng(3)
    x = rng.uniform([0.0, 0.45, 0.4], [3.0, 0.85, 0.8], size=(64, 3))
    pays = x[:, 2] > 0.65
    statement = with_discovery(results, pays, x).prim_statement()
    assert statement.startswith("nps_bonus pays when ")
    assert "how far customers' answers resist a rep's plea or gift" in statement
    assert "> 0.6" in statement
    assert "of such cases, covering" in statement
    assert "(64 cases sampled)" in statement


def test_prim_box_lists_only_restricted_assumptions(results):
    rng = np.random.default_rng(3)
    x = rng.uniform([0.0, 0.45, 0.4], [3.0, 0.85, 0.8], size=(64, 3))
    made = with_discovery(results, x[:, 2] > 0.65, x)
    box = made.box.set_index("assumption")
    assert box.loc["accounts.candor_mean", "restricted"] == "above"
    for path, row in box.iterrows():  # every row is a restriction of the sampled range
        column = made.discovery[path]
        assert row["lower"] > column.min() or row["upper"] < column.max()


def test_prim_statement_without_ema_workbench_says_how_to_install(results, monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    rng = np.random.default_rng(3)
    x = rng.uniform([0.0, 0.45, 0.4], [3.0, 0.85, 0.8], size=(20, 3))
    made = with_discovery(results, x[:, 2] > 0.6, x)
    assert made.prim_statement() == INSTALL_HINT
    assert 'pip install "npssim[ema]"' in made.prim_statement()
    assert made.box is None
    assert len(made.statements()) == 3  # the rest still works


@pytest.mark.parametrize(
    ("pays", "words"), [(False, "pays in none of the 10"), (True, "pays in every one of the 10")]
)
def test_prim_statement_handles_paying_nowhere_or_everywhere(results, pays, words):
    x = np.full((10, 3), 0.5)
    made = with_discovery(results, np.full(10, pays), x)
    assert words in made.prim_statement()
    assert made.box is None


def test_resume_completes_an_interrupted_analysis_with_identical_results(stored, tmp_path):
    results, out = stored
    copied = tmp_path / "out"
    shutil.copytree(out, copied)
    shutil.rmtree(copied / "discovery")  # interrupted before the last stage
    for run in sorted((copied / "tornado" / "runs" / "nps_bonus").glob("*.npz"))[:3]:
        run.unlink()  # and in the middle of the first
    with ThreadPoolExecutor(max_workers=2) as pool:  # another executor, the same results
        resumed = run_breakeven(
        "nps_bonus", "baseline", ASSUMPTIONS, executor=pool, out=copied,
            resume=True, **SETTINGS,
        )  # fmt: skip
    assert resumed.resumed == results.run_count - 3 - len(results.stages["discovery"].runs)
    pd.testing.assert_frame_equal(resumed.tornado, results.tornado)
    pd.testing.assert_frame_equal(resumed.heatmap, results.heatmap)
    pd.testing.assert_frame_equal(resumed.discovery, results.discovery)


def test_resume_refuses_a_different_analysis(stored, tmp_path):
    _, out = stored
    copied = tmp_path / "out"
    shutil.copytree(out, copied)
    settings = {**SETTINGS, "grid": 3}
    with pytest.raises(InputError, match="different experiment"):
        run_breakeven("nps_bonus", "baseline", ASSUMPTIONS, out=copied, resume=True, **settings)


def test_a_folder_in_use_is_refused_without_resume_or_force(stored):
    _, out = stored
    with pytest.raises(InputError, match="not empty"):
        run_breakeven("nps_bonus", "baseline", ASSUMPTIONS, out=out, **SETTINGS)


def test_save_writes_the_report_tables_and_manifest(results, tmp_path):
    written = results.save(tmp_path)
    names = {path.name for path in written}
    assert {"screen.csv", "tornado.csv", "heatmap.csv", "discovery.csv", "report.md"} <= names
    assert {"screen.png", "tornado.png", "breakeven_map.png", "manifest.json"} <= names
    assert ("box.csv" in names) == (results.box is not None)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["kind"] == "breakeven"
    assert set(manifest["stages"]) == {"screen", "tornado", "heatmap", "discovery"}


def test_report_opens_with_the_answer_then_screen_tornado_map_and_the_big_table_last(
    results, tmp_path
):
    results.save(tmp_path)
    report = (tmp_path / "report.md").read_text()
    answer = report.index("## What would have to be true")
    statements = [report.index(statement) for statement in results.statements()]
    order = [
        answer,
        *statements,
        report.index("## The screen"),
        report.index("figures/screen.png"),
        report.index("## One at a time: the tornado"),
        report.index("figures/tornado.png"),
        report.index("figures/breakeven_map.png"),
        report.index("### At the centre"),
    ]
    assert order == sorted(order)
    assert report.index("### At the centre") > report.index("## How to read this")


@pytest.mark.parametrize(
    ("assumptions", "words"),
    [
        (["reps.integrity_mea"], "unknown parameter"),
        (["reps.integrity_mean=0:2"], "leaves the allowed range"),
        (["policy.survey.sampler=0:1"], "policy.survey.sampler"),
        (["firm.managers"], "has no plausible range"),
        (["reps.integrity_mean", "reps.integrity_mean=0.5:0.6"], "given twice"),
        ([], "at least one assumption"),
    ],
)
def test_bad_assumptions_are_refused_naming_the_option(assumptions, words):
    with pytest.raises(InputError, match="--assume") as caught:
        parse_assumptions(assumptions)
    assert words in str(caught.value)


def test_every_uncertain_assumption_is_varied_by_default():
    paths = [factor.path for factor in parse_assumptions(None)]
    assert paths == [info.path for info in iter_params() if info.plausible is not None]
    assert "reps.service_response" in paths


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"grid": 1}, "--grid"),
        ({"samples": 9}, "--samples"),
        ({"horizon": "mid"}, "--horizon"),
        ({"trajectories": 1}, "--trajectories"),
        ({"carry": 0}, "--carry"),
        ({"only_assumed": True}, "--only-assumed"),
    ],
)
def test_bad_settings_are_refused_before_anything_runs(tmp_path, options, words):
    with pytest.raises(InputError, match=words):
        run_breakeven("nps_bonus", out=tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_the_policy_cannot_be_its_own_baseline(tmp_path):
    with pytest.raises(InputError, match="--baseline nps_bonus"):
        run_breakeven("nps_bonus", "nps_bonus", out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_tornado_figure_puts_the_widest_swing_on_top():
    tornado = pd.concat(
        [
            line("a.x", "Narrow", [0.0, 0.5, 1.0], [-2.0, -1.0, 0.0]),
            line("a.y", "Wide", [0.0, 0.5, 1.0], [-9.0, -1.0, 6.0]),
        ]
    )
    figure = plot_tornado(tornado, "USD", "title")
    axes = figure.axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    assert labels[-1].startswith("Wide")  # barh draws bottom up
    assert isinstance(figure, Figure)
    assert any(set(v.get_xdata()) == {0.0} for v in axes.get_lines())


def test_breakeven_map_draws_and_labels_the_zero_contour():
    xs, ys = np.meshgrid([0.0, 0.5, 1.0], [0.4, 0.6, 0.8])
    frame = pd.DataFrame(
        {"x": xs.ravel(), "y": ys.ravel(), "difference": (xs - 0.5 + ys - 0.6).ravel()}
    )
    figure = plot_breakeven_map(frame, "x", "y", "USD", "title")
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert "break-even" in texts


def test_prim_prefers_a_short_rule_to_trimming_every_assumption(results):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.0, 1.0, size=(48, 10))
    paths = [
        "reps.service_response", "reps.integrity_mean", "accounts.candor_mean",
        "managers.integrity_mean", "reps.greed_mean", "reps.effort_curvature",
        "firm.service_effect", "accounts.price_sensitivity", "reps.honest_exit_rate",
        "accounts.initial_savvy_share",
    ]  # fmt: skip
    frame = pd.DataFrame(x, columns=paths)
    found = find_box(load_prim(), frame, x[:, 0] > 0.5)
    assert len(found.limits) <= PRIM_MAX_DIMENSIONS
    assert "reps.service_response" in set(found.limits["assumption"])


# ---------------------------------------------------------------------- the screen


def test_screen_pairs_policy_and_baseline_on_the_same_seeds_at_every_point(results):
    plan = results.stages["screen"].plan
    seeds: dict[tuple[int, int], dict[str, int]] = {}
    for task in plan.tasks():
        seeds.setdefault((task.point, task.replication), {})[task.label] = task.seed
    assert len(seeds) == len(results.screen.design.matrix) * plan.replications
    for found in seeds.values():  # both scenarios ran at every point, on one seed
        assert set(found) == {"baseline", "nps_bonus"}
        assert len(set(found.values())) == 1


def test_screen_points_are_the_morris_design_for_both_scenarios(results):
    plan = results.stages["screen"].plan
    design = results.screen.design
    assert list(plan.points) == design.overrides()
    assert len(plan.points) == design.samples * (len(design.factors) + 1)
    assert [factor.path for factor in design.factors] == [p.split("=")[0] for p in ASSUMPTIONS]


def test_screen_reads_the_paired_long_run_difference_at_every_point(results):
    stage = results.stages["screen"]
    outputs = stage.paired("nps_bonus", "baseline", "long").mean(axis=1)
    again = breakeven.screen_indices(results.screen.design, outputs)
    pd.testing.assert_frame_equal(again, results.screen.indices)
    assert (results.screen.indices["mu_star"] >= 0).all()
    assert list(results.screen.indices["rank"]) == [1, 2, 3]
    assert results.screen.indices["mu_star"].is_monotonic_decreasing


def test_the_carried_assumptions_are_the_strongest_by_mu_star():
    indices = pd.DataFrame(
        {"assumption": ["a.x", "a.y", "a.z", "a.w"], "mu_star": [9.0, 5.0, 2.0, 1.0]}
    )
    assert carried(indices, 2) == ["a.x", "a.y"]
    assert carried(indices, 2, always=["a.w"]) == ["a.x", "a.y", "a.w"]  # --assume'd: kept
    assert carried(indices, 9) == ["a.x", "a.y", "a.z", "a.w"]


@pytest.mark.slow
def test_a_default_screen_moves_every_assumption_and_carries_the_strongest():
    smallest = {"firm.managers": 1, "firm.reps_per_manager": 2, "firm.accounts_per_rep": 10}
    results = run_breakeven(
        "nps_bonus", "baseline", replications=1, grid=2, samples=10, weeks=56, seed=2,
        overrides=smallest, trajectories=2, carry=2, executor="serial",
    )  # fmt: skip
    indices = results.screen.indices
    uncertain = [info.path for info in iter_params() if info.plausible is not None]
    assert sorted(indices["assumption"]) == sorted(uncertain)
    assert results.varied == list(indices["assumption"].iloc[:2])  # the top two by mu_star
    assert indices["mu_star"].iloc[1] >= indices["mu_star"].iloc[2:].max()
    assert list(results.axes) == list(results.swings().index[:2])
    assert set(results.discovery.columns) >= set(results.varied)
    assert not set(results.discovery.columns) & (set(uncertain) - set(results.varied))


def test_the_screen_moves_every_uncertain_assumption_and_assume_adds_or_fixes():
    uncertain = [info.path for info in iter_params() if info.plausible is not None]
    factors, assumed = screened_factors(None)
    assert [factor.path for factor in factors] == uncertain and assumed == []
    factors, assumed = screened_factors(
        ["reps.integrity_mean=0.5:0.6", "accounts.churn_slope=0.5:2"]
    )
    by_path = {factor.path: factor for factor in factors}
    assert set(by_path) == {*uncertain, "accounts.churn_slope"}  # added
    assert (by_path["reps.integrity_mean"].lower, by_path["reps.integrity_mean"].upper) == (
        0.5,
        0.6,
    )  # its range fixed by --assume
    assert assumed == ["reps.integrity_mean", "accounts.churn_slope"]
    only, _ = screened_factors(["reps.integrity_mean"], only_assumed=True)
    assert [factor.path for factor in only] == ["reps.integrity_mean"]


def test_every_uncertain_assumption_has_a_measure_a_firm_could_take():
    for info in iter_params():
        if info.plausible is not None:
            assert info.measure.strip(), info.path
            assert len(info.measure) <= 100, info.path  # short enough for a table
            assert info.unit, info.path
    assert len({info.measure for info in iter_params() if info.plausible}) == len(
        [info for info in iter_params() if info.plausible]
    )  # no two assumptions read the same


def test_each_stage_names_its_progress_bar(results):
    assert [text.split(":")[0] for text in DESCRIPTIONS] == [
        "breakeven screen",
        "breakeven tornado",
        "breakeven map",
        "breakeven discovery",
    ]


def test_resume_completes_an_interrupted_screen_with_identical_results(stored, tmp_path):
    results, out = stored
    copied = tmp_path / "out"
    shutil.copytree(out, copied)
    for stage in ("tornado", "heatmap", "discovery"):
        shutil.rmtree(copied / stage)  # interrupted in the screen
    removed = sorted((copied / "screen" / "runs" / "baseline").glob("*.npz"))[:2]
    for run in removed:
        run.unlink()
    resumed = run_breakeven(
        "nps_bonus", "baseline", ASSUMPTIONS, executor="serial", out=copied, resume=True,
        **SETTINGS,
    )  # fmt: skip
    assert resumed.resumed == len(results.stages["screen"].runs) - len(removed)
    pd.testing.assert_frame_equal(resumed.screen.indices, results.screen.indices)
    assert resumed.varied == results.varied
    pd.testing.assert_frame_equal(resumed.tornado, results.tornado)
    pd.testing.assert_frame_equal(resumed.discovery, results.discovery)


def test_resume_refuses_a_different_screen(stored, tmp_path):
    _, out = stored
    copied = tmp_path / "out"
    shutil.copytree(out, copied)
    with pytest.raises(InputError, match="different experiment"):
        run_breakeven(
            "nps_bonus", "baseline", ASSUMPTIONS, out=copied, resume=True,
            **{**SETTINGS, "trajectories": 3},
        )  # fmt: skip


def test_screen_figure_puts_the_strongest_on_top_and_colours_the_carried(results):
    figure = plot_screen(results.screen.indices, results.varied[:1], "USD", "title")
    axes = figure.axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    assert labels[-1] == results.screen.indices["label"].iloc[0]
    colours = {tuple(bar.get_facecolor()) for bar in axes.patches}
    assert len(colours) == 2  # carried and not


def test_a_baseline_of_another_firm_is_refused_before_anything_is_written(tmp_path):
    policy = load_scenario("nps_bonus")
    other = load_scenario("baseline").model_copy(deep=True)
    other.firm.reps_per_manager += 1
    with pytest.raises(InputError, match="--different-firms"):
        run_breakeven(policy, other, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_different_firms_is_passed_to_the_same_firm_rule(monkeypatch, tmp_path):
    seen = {}

    def rule(a, b, *, different_firms=False):
        seen.update(a=a.name, b=b.name, different_firms=different_firms)
        raise InputError("stop here")

    monkeypatch.setattr(breakeven, "check_same_firm", rule)
    with pytest.raises(InputError, match="stop here"):
        run_breakeven("nps_bonus", different_firms=True, out=tmp_path / "out")
    assert seen == {"a": "nps_bonus", "b": "baseline", "different_firms": True}
    assert not (tmp_path / "out").exists()


def test_prim_names_stay_importable_from_discovery():
    assert moved_find_box is find_box
    assert moved_load_prim is load_prim
    assert MovedPrimBox is breakeven.PrimBox
