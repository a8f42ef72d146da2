"""``--model`` reaches a subclass's own parameters and metrics on the command line.

``tests.experiment.models:TrainedFirm`` adds ``training.hours`` and the ``training_hours``
metric; the commands that describe, check and run take them from the class ``--model`` names,
and without it refuse them as they refuse any unknown name.
"""

from __future__ import annotations

import pandas as pd
import pytest

from .conftest import assert_one_line_error, run_cli

MODEL = ["--model", "tests.experiment.models:TrainedFirm"]
SMALL = ["--set", "firm.managers=2", "--set", "firm.reps_per_manager=3"]
FAST = [*SMALL, "--set", "firm.accounts_per_rep=10", "--weeks", "6", "--workers", "1", "--quiet"]
REPS = 6


@pytest.mark.parametrize(
    ("command", "name", "row"),
    [
        ("params", "training.hours", "| `training.hours` | `1.0` | [0 .. 10] | hours |"),
        ("metrics", "training_hours", "| `training_hours` | Hours of training taken | hours |"),
    ],
)
def test_params_and_metrics_list_what_the_model_adds(capsys, command, name, row):
    status, out, _ = run_cli(capsys, command, *MODEL)
    assert status == 0 and name in out
    status, out, _ = run_cli(capsys, command, "--markdown", *MODEL)
    assert status == 0 and row in out
    status, out, _ = run_cli(capsys, command)
    assert status == 0 and name not in out


def test_validate_accepts_the_models_table_only_with_the_model(capsys, tmp_path):
    file = tmp_path / "trained.toml"
    file.write_text('extends = "baseline"\n\n[training]\nhours = 2.0\n', encoding="utf-8")
    status, out, _ = run_cli(capsys, "validate", str(file), *MODEL)
    assert status == 0 and out.startswith("ok: ")
    status, _, err = run_cli(capsys, "validate", str(file))
    assert status == 2 and "training: unknown parameter 'training'" in err


def test_run_sets_the_parameter_and_writes_the_outcome(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, _ = run_cli(
        capsys, "run", "baseline", *MODEL, *FAST, "--replications", "2",
        "--set", "training.hours=3", "--out", str(out),
    )  # fmt: skip
    assert status == 0
    ledger = pd.read_csv(out / "ledger.csv")
    assert ledger["training_hours"].tolist() == [3.0 * REPS * 6] * 2


def test_a_bad_value_of_the_models_parameter_is_one_line_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, err = run_cli(
        capsys, "run", "baseline", *MODEL, *FAST, "--set", "training.hours=30", "--out", str(out)
    )
    assert_one_line_error(status, err, "--set", "training.hours", "less than or equal to 10")
    assert not out.exists()


def test_without_the_model_its_parameter_and_metric_are_unknown(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, err = run_cli(
        capsys, "run", "baseline", *FAST, "--set", "training.hours=3", "--out", str(out)
    )
    assert_one_line_error(status, err, "training.hours", "unknown parameter 'training'")
    status, _, err = run_cli(
        capsys, "sweep", "baseline", *FAST, "--vary", "reps.integrity_mean=0.4,0.8",
        "--metric", "training_hours", "--out", str(out),
    )  # fmt: skip
    assert_one_line_error(status, err, "--metric training_hours", "unknown metric")
    assert not out.exists()


def test_a_sweep_varies_the_models_parameter_and_tabulates_its_metric(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, _ = run_cli(
        capsys, "sweep", "baseline", *MODEL, *FAST, "--replications", "1",
        "--vary", "training.hours=1,2", "--metric", "training_hours", "--horizon", "end",
        "--out", str(out),
    )  # fmt: skip
    assert status == 0
    sweep = pd.read_csv(out / "sweep.csv")
    assert sweep["mean"].tolist() == [1.0 * REPS * 6, 2.0 * REPS * 6]


def test_sensitivity_takes_the_models_parameter(capsys, tmp_path):
    out = tmp_path / "out"
    status, _, _ = run_cli(
        capsys, "sensitivity", "baseline", *MODEL, *FAST, "--replications", "1",
        "--method", "morris", "--samples", "2", "--param", "training.hours=0:4",
        "--param", "reps.integrity_mean=0.4:0.8", "--metric", "training_hours",
        "--horizon", "end", "--out", str(out),
    )  # fmt: skip
    assert status == 0
    indices = pd.read_csv(out / "indices.csv").query("index == 'mu_star'")
    assert set(indices["parameter"]) == {"training.hours", "reps.integrity_mean"}
    assert indices.set_index("parameter")["value"]["training.hours"] > 0
