import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npssim.scenario import ScenarioError, find_param, get_path, load_scenario, params_by_path
from npssim.scenario.paths import plain_values, suggestion


def test_every_schema_parameter_is_found_by_its_path():
    params = params_by_path()
    assert params["policy.incentives.nps_weight"].kind == "float"
    assert params["policy.survey.wave_interval"].kind == "int"
    assert params["policy.survey.sampler"].kind == "choice"
    assert params["policy.survey.anonymous"].kind == "bool"


def test_an_unknown_path_names_the_source_and_suggests_the_closest():
    with pytest.raises(ScenarioError) as caught:
        find_param("integrity_mean", "ema_model")
    assert str(caught.value) == (
        "ema_model: integrity_mean: unknown parameter; did you mean 'reps.integrity_mean'?"
    )


def test_a_suggestion_is_empty_when_nothing_is_close():
    assert suggestion("zzz.qqq", params_by_path()) == ""


def test_get_path_reads_nested_tables():
    data = load_scenario("nps_bonus").model_dump()
    assert get_path(data, "policy.incentives.nps_weight") == 0.5


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_whole_number_parameters_are_rounded_half_up_for_python_callers(value):
    (rounded,) = plain_values({"firm.managers": value}, round_integers=True).values()
    assert rounded == math.floor(value + 0.5) and isinstance(rounded, int)


def test_values_are_left_alone_unless_rounding_is_asked_for():
    assert plain_values({"firm.managers": 2.5}) == {"firm.managers": 2.5}
    assert plain_values({"reps.integrity_mean": 0.25}, round_integers=True) == {
        "reps.integrity_mean": 0.25
    }


def test_numpy_scalars_become_python_values():
    values = plain_values({"firm.managers": np.int64(3), "policy.survey.anonymous": np.bool_(True)})
    assert values == {"firm.managers": 3, "policy.survey.anonymous": True}
    assert type(values["firm.managers"]) is int and type(values["policy.survey.anonymous"]) is bool
