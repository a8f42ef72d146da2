import re
from pathlib import Path

from npssim.scenario import Scenario, iter_params
from npssim.scenario.schema import ASSUMPTION


def test_every_parameter_is_documented():
    params = list(iter_params())
    assert len(params) > 60
    for info in params:
        assert info.meaning, info.path
        assert info.source, info.path
        assert info.path.split(".")[0] in {"firm", "accounts", "reps", "managers", "policy", "run"}


def test_numeric_parameters_have_bounds_or_choices():
    for info in iter_params():
        if isinstance(info.default, (bool, str)):
            continue
        assert info.lower is not None, f"{info.path} has no lower bound"


def test_defaults_respect_their_bounds():
    for info in iter_params():
        if info.lower is not None and not isinstance(info.default, bool):
            assert info.default >= info.lower, info.path
        if info.upper is not None and not isinstance(info.default, bool):
            assert info.default <= info.upper, info.path
        if info.choices:
            assert info.default in info.choices, info.path


def test_sources_cite_references_or_say_assumption():
    for info in iter_params():
        assert info.source.startswith(ASSUMPTION) or "references.md" in info.source, info.path


def test_every_cited_work_is_in_the_references():
    references = (Path(__file__).parents[2] / "docs" / "references.md").read_text()
    for info in iter_params():
        if "references.md" not in info.source:
            continue
        names = re.findall(r"\b[A-Z][A-Za-z]+\b", info.source)
        assert any(name in references for name in names), (info.path, info.source)


def test_paths_resolve_in_the_default_scenario():
    data = Scenario().model_dump()
    for info in iter_params():
        node = data
        for key in info.path.split("."):
            node = node[key]
        assert node == info.default, info.path


def test_every_lever_has_a_finite_control():
    chosen = [info for info in iter_params() if info.lever]
    assert chosen
    for info in chosen:
        bounded = info.upper is not None or info.slider_max is not None
        assert info.choices or isinstance(info.default, bool) or bounded, info.path
