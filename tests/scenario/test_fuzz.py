"""The bad-input contract under fuzzing (issue 15), with Hypothesis.

Scenario files, ``--set`` values and command lines are generated from the schema
(:func:`npssim.scenario.params_by_path`): values inside the bounds, out of range, of the wrong
type, non-finite or huge; mistyped keys; keys and strings with control characters; deep nesting;
``extends`` to missing or malformed names. Every input must either

- load, and a small run of it (one manager, two reps, five accounts each, 26 weeks) give
  finite money and counts, every share in [0, 1]; or
- be rejected with :class:`npssim.errors.InputError` (``npssim.ScenarioError``) whose message is
  one line (no control characters) of at most ``MAX_MESSAGE`` characters that names the file
  (or ``--set``) and, where one parameter is at fault, its path, in under two seconds;

and through the command line exit 0, or exit 2 with one line ``npssim: error: ...`` on stderr,
no traceback, and no output folder. No other exception, ever.

Profiles (environment variable ``HYPOTHESIS_PROFILE``): ``fast`` (the default: derandomized, a
few examples per test, the whole file in well under a minute), ``ci`` (ten times the examples,
still derandomized so CI is stable) and ``explore`` (fifty times, random, printing a blob to
reproduce a failure, for hunting locally). No profile writes Hypothesis's example database.
Deadlines are off: timing is asserted where the contract sets it (rejections in under two
seconds), not on every example.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
import signal
import string
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import tomli_w
from hypothesis import example, given, settings
from hypothesis import strategies as st

import npssim
from npssim.cli import main
from npssim.errors import InputError
from npssim.metrics import METRICS
from npssim.scenario import (
    ParamInfo,
    Scenario,
    bundled_scenarios,
    params_by_path,
    parse_assignment,
    with_overrides,
)

# --- profiles -------------------------------------------------------------------------------

_SCALE = {"fast": 1, "ci": 10, "explore": 50}
# Registering again (the module imported twice) only replaces the profile: harmless.
settings.register_profile("fast", derandomize=True, database=None, deadline=None)
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile(
    "explore", derandomize=False, database=None, deadline=None, print_blob=True
)
PROFILE_NAME = os.environ.get("HYPOTHESIS_PROFILE", "fast")
PROFILE = settings.get_profile(PROFILE_NAME if PROFILE_NAME in _SCALE else "fast")
SCALE = _SCALE.get(PROFILE_NAME, 1)


def fuzz(examples: int) -> settings:
    """``examples`` examples in the fast profile, scaled up in the longer ones."""
    return settings(PROFILE, max_examples=examples * SCALE, deadline=None)


# --- the contract ---------------------------------------------------------------------------

MAX_MESSAGE = 400
REJECTION_SECONDS = 2.0
#: No input may keep the loader busy longer than this (a hang fails the test, not the suite).
HANG_SECONDS = 20

#: Long enough for renewals, survey waves and bonus payments in a run of ten accounts.
RUN_WEEKS = 26
TINY = {"firm.managers": 1, "firm.reps_per_manager": 2, "firm.accounts_per_rep": 5}
TINY_SET = [f"{path}={value}" for path, value in TINY.items()]
PARAMS = params_by_path()
METRIC_INFO = {metric.name: metric for metric in METRICS}
#: Money and counts are always defined; ratios (retention, AUCs, response rate) may be NaN when
#: nothing was due in a few weeks, but never infinite.
ALWAYS_FINITE = {m.name for m in METRICS if m.cumulative or m.unit in ("currency", "accounts")}
MONEY_COLUMNS = [m.name for m in METRICS if m.unit == "currency"]
BUNDLED = [path.stem for path in bundled_scenarios()]
#: Bundled scenarios whose timeline fits in a three-week run.
SHORT_BASES = [
    name for name in BUNDLED if all(e.week < 3 for e in npssim.load_scenario(name).timeline)
]


@dataclass
class Rejected:
    """An input refused with :class:`InputError`."""

    message: str
    seconds: float


class Hang(Exception):
    """The loader ran past ``HANG_SECONDS``."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"still busy after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A short-named temporary folder (short, so messages naming files stay short)."""
    with tempfile.TemporaryDirectory(prefix="npf") as folder:
        yield Path(folder)


def load(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario | Rejected:
    """Load a scenario; an InputError becomes :class:`Rejected`, anything else propagates."""
    start = time.perf_counter()
    try:
        with time_limit(HANG_SECONDS):
            return npssim.load_scenario(path, overrides)
    except InputError as err:
        return Rejected(str(err), time.perf_counter() - start)


def assert_one_line(message: str, *names: str) -> None:
    """One short line, no control characters, naming each of ``names``."""
    bad = [c for c in message if unicodedata.category(c) in ("Cc", "Zl", "Zp")]
    assert not bad, f"control characters {bad!r} in the message {message!r}"
    assert message.strip(), "an empty message"
    assert len(message) <= MAX_MESSAGE, f"a message of {len(message)} characters: {message!r}"
    assert "Traceback" not in message, message
    for name in names:
        assert name in message, f"the message does not name {name!r}: {message!r}"


def assert_rejected(outcome: Scenario | Rejected, *names: str) -> None:
    assert isinstance(outcome, Rejected), f"accepted, but should be rejected (naming {names})"
    assert_one_line(outcome.message, *names)
    assert outcome.seconds < REJECTION_SECONDS, (
        f"rejected after {outcome.seconds:.1f} s: {outcome.message!r}"
    )


def assert_metrics_sane(metrics: Mapping[str, float]) -> None:
    for name, value in metrics.items():
        assert not math.isinf(value), f"{name} is {value}"
        if name in ALWAYS_FINITE:
            assert math.isfinite(value), f"{name} is {value}"
        unit = METRIC_INFO[name].unit if name in METRIC_INFO else ""
        if unit == "share" and name != "service_quality" and math.isfinite(value):
            assert -1e-9 <= value <= 1 + 1e-9, f"{name} = {value} is not a share"
        if name in ("reported_nps", "true_nps") and math.isfinite(value):
            assert -100 - 1e-9 <= value <= 100 + 1e-9, f"{name} = {value}"


def assert_runs(scenario: Scenario) -> None:
    """A small run of an accepted scenario (half a year, or to its timeline's last change)."""
    weeks = min(scenario.run.weeks, max([RUN_WEEKS, *(e.week + 1 for e in scenario.timeline)]))
    small = with_overrides(scenario, {**TINY, "run.weeks": weeks})
    assert_metrics_sane(npssim.simulate(small, window="end"))


def assert_contract(
    outcome: Scenario | Rejected, *names: str, run: bool = True
) -> Scenario | Rejected:
    """Accepted and runs, or rejected with one line naming ``names``."""
    if isinstance(outcome, Rejected):
        assert_rejected(outcome, *names)
    elif run:
        assert_runs(outcome)
    return outcome


@dataclass
class Cli:
    status: int
    stdout: str
    stderr: str


def cli(*argv: str | Path) -> Cli:
    """``npssim ARGV`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(arg) for arg in argv])
        except SystemExit as exit_:  # argparse's --help; a bad argument must not get here
            status = exit_.code if isinstance(exit_.code, int) else 1
    return Cli(status, out.getvalue(), err.getvalue())


def assert_cli_contract(done: Cli, *names: str) -> None:
    assert done.status in (0, 2), f"exit {done.status}; stderr {done.stderr[-2000:]!r}"
    assert "Traceback" not in done.stderr + done.stdout
    if done.status == 2:
        assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, repr(done.stderr)
        assert done.stderr.startswith("npssim: error: "), repr(done.stderr)
        assert_one_line(done.stderr.removesuffix("\n"), *names)


# --- writing scenario files -----------------------------------------------------------------


def write(folder: Path, data: Mapping[str, Any] | str | bytes, name: str = "s.toml") -> Path:
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def put(data: dict[str, Any], dotted: str, value: Any) -> None:
    """``data[a][b][c] = value``, creating tables; a value in the way is replaced."""
    *parents, leaf = dotted.split(".")
    node = data
    for key in parents:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[leaf] = value


def small_firm(content: dict[str, Any], but: str) -> None:
    """Every size of the firm 1 but ``but``: its largest value then makes a firm that runs."""
    for path in TINY:
        if path != but:
            put(content, path, 1)


# --- strategies from the schema -------------------------------------------------------------

NUMERIC = [info for info in PARAMS.values() if info.kind in ("int", "float")]
BOUNDED = [
    info
    for info in PARAMS.values()
    if info.lower is not None or info.upper is not None or info.kind == "choice"
]
POLICY = [info for info in PARAMS.values() if info.path.startswith("policy.")]
params = st.sampled_from(list(PARAMS.values()))

CONTROL = ["\n", "\r", "\r\n", "\t", "\x00", "\x1b[31m", "\x7f", "\x85", "\u2028", "\x0b", "\x0c"]
weird_text = st.lists(
    st.one_of(
        st.sampled_from(CONTROL), st.text(string.ascii_letters + "._-/ '\"=[]{}", max_size=6)
    ),
    min_size=1,
    max_size=6,
).map("".join)
#: Text with at least one control character (or line separator) in it.
control_text = st.tuples(weird_text, st.sampled_from(CONTROL), weird_text).map("".join)
long_text = st.integers(200, 3000).map(lambda n: "n" * n)
dates = st.sampled_from([dt.date(1979, 5, 27), dt.datetime(1979, 5, 27, 7, 32), dt.time(7, 32)])
tables = st.dictionaries(st.sampled_from(["a", "value", "v"]), st.integers(0, 9), max_size=2)


def upper_or_cap(info: ParamInfo) -> float:
    """The upper bound, or a generous ordinary value when the schema has none."""
    if info.upper is not None:
        return info.upper
    return max(100.0, 10 * abs(float(info.default or 0)))


def in_bounds(info: ParamInfo) -> st.SearchStrategy[Any]:
    """Ordinary values the schema allows (open upper bounds capped at ten times the default)."""
    if info.kind == "bool":
        return st.booleans()
    if info.kind == "choice":
        return st.sampled_from(info.choices)
    if info.kind == "text":
        return st.from_regex(r"\A[A-Z]{3}\Z") if info.path == "firm.currency" else st.just("x")
    lower = info.lower if info.lower is not None else -1e6
    upper = upper_or_cap(info)
    whole = st.integers(math.ceil(lower), math.floor(upper))
    if info.kind == "int":
        return whole
    return st.floats(lower, upper, allow_nan=False, allow_infinity=False) | whole


def extreme_in_bounds(info: ParamInfo) -> st.SearchStrategy[Any]:
    """The bounds themselves and, where the schema has no upper bound, anything finite."""
    if info.kind not in ("int", "float"):
        return in_bounds(info)
    edges = [edge for edge in (info.lower, info.upper) if edge is not None]
    edge = st.sampled_from([int(e) if info.kind == "int" else e for e in edges])
    if info.upper is not None:
        return edge | in_bounds(info)
    if info.kind == "int":
        return edge | st.integers(min_value=int(info.lower or 0))
    return edge | st.floats(info.lower, None, allow_nan=False, allow_infinity=False)


def out_of_range(info: ParamInfo) -> st.SearchStrategy[Any]:
    """Values of the right type outside the bounds, or not among the choices."""
    if info.kind == "choice":
        return st.sampled_from(
            [c.upper() for c in info.choices] + [f" {info.choices[0]}", "", "none", "random "]
        )
    options = []
    finite = {"allow_nan": False, "allow_infinity": False}
    if info.lower is not None:
        if info.kind == "int":
            options.append(st.integers(max_value=math.ceil(info.lower) - 1))
        else:
            options.append(st.floats(max_value=info.lower, exclude_max=True, **finite))
    if info.upper is not None:
        if info.kind == "int":
            options.append(st.integers(min_value=math.floor(info.upper) + 1))
        else:
            options.append(st.floats(min_value=info.upper, exclude_min=True, **finite))
    return st.one_of(options)


def wrong_type(info: ParamInfo) -> st.SearchStrategy[Any]:
    """Values of another type: never to be converted quietly."""
    numeric_text = st.from_regex(r"\A-?[0-9]{1,3}(\.[0-9]{1,2})?\Z")
    common = [st.lists(st.integers(0, 3), max_size=2), tables, dates]
    if info.kind in ("int", "float"):
        options = [st.booleans(), numeric_text, *common]
        if info.kind == "int":
            options.append(st.floats(0.1, 0.9).map(lambda f: math.floor(upper_or_cap(info)) * f))
            options[-1] = options[-1].filter(lambda f: not f.is_integer())
        return st.one_of(options)
    if info.kind == "bool":
        words = st.sampled_from(["true", "false", "yes", "no", "1", "0", "on", "off"])
        return st.one_of(st.integers(0, 1), st.floats(0, 1), words, *common)
    # choice or text
    lists = st.lists(in_bounds(info), min_size=1, max_size=2)
    return st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), lists, tables, dates)


NON_FINITE = [math.inf, -math.inf, math.nan]
HUGE = [1e300, -1e300, 1.7976931348623157e308, 2**63, 2**64, -(2**63) - 1, 10**30, 10**400]


@st.composite
def placed(
    draw: st.DrawFn, info: ParamInfo, value: st.SearchStrategy[Any]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A value for ``info`` in a file, in a week-0..2 timeline entry, or in ``--set``.

    Returns:
        Where it went ("file", "timeline" or "set"), the file's data, the overrides.
    """
    where = draw(st.sampled_from(["file", "timeline", "set"]))
    if where == "timeline" and not info.path.startswith("policy."):
        where = "file"
    data: dict[str, Any] = {}
    if draw(st.booleans()):
        data["extends"] = draw(st.sampled_from(SHORT_BASES)) + ".toml"
    chosen = draw(value)
    overrides: dict[str, Any] = {}
    if where == "file":
        put(data, info.path, chosen)
    elif where == "timeline":
        data["timeline"] = [{"week": draw(st.integers(0, 2)), "set": {info.path: chosen}}]
    else:
        overrides[info.path] = chosen
    return where, data, overrides


def source_of(where: str) -> str:
    return "--set" if where == "set" else "s.toml"


# --- values by type and range ---------------------------------------------------------------


@fuzz(60)
@given(st.data())
def test_values_inside_the_bounds_are_accepted(data):
    info = data.draw(params)
    _, content, overrides = data.draw(placed(info, in_bounds(info)))
    small_firm(content, but=info.path)
    with scratch() as folder:
        outcome = load(write(folder, content), overrides)
    assert not isinstance(outcome, Rejected), outcome.message


@fuzz(60)
@given(st.data())
def test_extreme_values_inside_the_bounds_run_with_finite_metrics_or_are_rejected(data):
    info = data.draw(st.sampled_from(NUMERIC))
    where, content, overrides = data.draw(placed(info, extreme_in_bounds(info)))
    small_firm(content, but=info.path)
    with scratch() as folder:
        assert_contract(load(write(folder, content), overrides), source_of(where), info.path)


@fuzz(60)
@given(st.data())
def test_out_of_range_values_are_rejected_naming_the_source_and_the_parameter(data):
    info = data.draw(st.sampled_from(BOUNDED))
    where, content, overrides = data.draw(placed(info, out_of_range(info)))
    with scratch() as folder:
        assert_rejected(load(write(folder, content), overrides), source_of(where), info.path)


@fuzz(80)
@given(st.data())
def test_values_of_the_wrong_type_are_rejected_not_converted(data):
    info = data.draw(params)
    where, content, overrides = data.draw(placed(info, wrong_type(info)))
    with scratch() as folder:
        assert_rejected(load(write(folder, content), overrides), source_of(where), info.path)


@fuzz(40)
@given(st.data())
def test_infinity_and_nan_are_rejected_naming_the_parameter(data):
    info = data.draw(st.sampled_from([i for i in NUMERIC if i.kind == "float"]))
    where, content, overrides = data.draw(placed(info, st.sampled_from(NON_FINITE)))
    with scratch() as folder:
        assert_rejected(load(write(folder, content), overrides), source_of(where), info.path)


@fuzz(40)
@given(st.data())
def test_huge_numbers_run_with_finite_metrics_or_are_rejected(data):
    info = data.draw(st.sampled_from(NUMERIC))
    where, content, overrides = data.draw(placed(info, st.sampled_from(HUGE)))
    with scratch() as folder:
        assert_contract(load(write(folder, content), overrides), source_of(where), info.path)


#: The parameters that issue 15 found bounded only below (the schema may since bound them).
UNBOUNDED_ABOVE = [
    *("firm.rep_turnover_cost", "accounts.acv_median", "reps.bribe_amount"),
    *("managers.bonus_target", "policy.pay.variable_target", "policy.survey.third_party_cost"),
    *("policy.audits.cost", "policy.concessions.approval_threshold"),
    *("policy.concessions.giveaway_budget", "policy.follow_up.call_cost"),
]


@pytest.mark.parametrize("path", UNBOUNDED_ABOVE)
def test_1e300_in_a_parameter_bounded_only_below_runs_with_finite_metrics_or_is_rejected(path):
    content: dict[str, Any] = {"extends": "nps_bonus.toml"}
    put(content, path, 1e300)
    with scratch() as folder:
        assert_contract(load(write(folder, content)), "s.toml", path)


@pytest.mark.parametrize("path", UNBOUNDED_ABOVE)
def test_infinity_in_a_parameter_bounded_only_below_is_rejected(path):
    content: dict[str, Any] = {"extends": "nps_bonus.toml"}
    put(content, path, math.inf)
    with scratch() as folder:
        assert_rejected(load(write(folder, content)), "s.toml", path)


def test_infinity_in_a_timeline_is_rejected_naming_the_entry():
    timeline = [{"week": 1, "set": {"policy.pay.base_salary": math.inf}}]
    with scratch() as folder:
        outcome = load(write(folder, {"extends": "nps_bonus.toml", "timeline": timeline}))
    assert_rejected(outcome, "s.toml", "timeline[0]", "policy.pay.base_salary")


def bad_raw(info: ParamInfo) -> st.SearchStrategy[str]:
    """``--set`` value texts of the wrong type for ``info``, or not finite."""
    odd = ["[1]", "{ a = 1 }", "1979-05-27", "07:32:00"]
    if info.kind in ("int", "float"):
        return st.sampled_from(["true", "false", '"5"', '"8"', "inf", "nan", "-inf", "five", *odd])
    if info.kind == "bool":
        return st.sampled_from(["1", "0", '"true"', "yes", "[true]", *odd])
    return st.sampled_from(["1", "2.5", "true", "inf", *odd])


bad_set_texts = st.sampled_from(list(PARAMS.values())).flatmap(
    lambda info: bad_raw(info).map(lambda raw: f"{info.path}={raw}")
)


@fuzz(60)
@given(bad_set_texts)
@example("firm.managers=true")
@example("run.seed=true")
@example('run.weeks="8"')
def test_set_values_of_the_wrong_type_are_rejected_naming_set(text):
    path, value = parse_assignment(text)
    assert_rejected(load("baseline", {path: value}), "--set", path)


# --- keys ------------------------------------------------------------------------------------


def siblings(prefix: str) -> set[str]:
    """The keys of the table at ``prefix`` ("" for the top level)."""
    top = {"name", "description", "timeline", "extends", *(p.split(".")[0] for p in PARAMS)}
    if not prefix:
        return top
    depth = prefix.count(".") + 1
    return {p.split(".")[depth] for p in PARAMS if p.startswith(prefix + ".")}


@st.composite
def mistyped_paths(draw: st.DrawFn) -> tuple[str, str]:
    """A parameter path with one key mistyped (a letter dropped or doubled): (path, the key)."""
    keys = draw(params).path.split(".")
    index = draw(st.integers(0, len(keys) - 1))
    key = keys[index]
    position = draw(st.integers(0, len(key) - 1))
    typo = key[:position] + ("" if draw(st.booleans()) else key[position] * 2) + key[position + 1 :]
    if typo in siblings(".".join(keys[:index])) or not typo:
        typo = key + "x"
    return ".".join([*keys[:index], typo, *keys[index + 1 :]]), typo


@fuzz(60)
@given(mistyped_paths(), st.sampled_from(["file", "set"]))
def test_a_mistyped_key_is_rejected_naming_it_with_a_suggestion(mistyped, where):
    path, typo = mistyped
    content: dict[str, Any] = {}
    if where == "file":
        put(content, path, 1)
    with scratch() as folder:
        outcome = load(write(folder, content), {path: 1} if where == "set" else None)
    assert_rejected(outcome, source_of(where), typo)
    if len(typo) >= 4:
        assert "did you mean" in outcome.message


@fuzz(60)
@given(
    control_text,
    st.sampled_from(["top", "section", "timeline", "set", "header"]),
    st.booleans(),
)
def test_a_key_with_control_characters_is_rejected_on_one_line(key, where, extends):
    content: dict[str, Any] = {"extends": "baseline.toml"} if extends else {}
    overrides = None
    if where == "top":
        content[key] = 1
    elif where == "section":
        content["policy"] = {"incentives": {key: 1}}
    elif where == "timeline":
        content["timeline"] = [{"week": 0, "set": {f"policy.{key}": 1}}]
    elif where == "set":
        overrides = {f"firm.{key}": 1}
    else:
        content[key] = {"a": {"b": 1}}
    with scratch() as folder:
        assert_rejected(load(write(folder, content), overrides), source_of(where))


@fuzz(40)
@given(
    st.sampled_from(["name", "description", "firm.currency", "policy.survey.sampler"]),
    weird_text | long_text,
)
def test_strings_with_control_characters_or_great_length_load_and_run_or_give_one_line(path, text):
    content: dict[str, Any] = {}
    put(content, path, text)
    with scratch() as folder:
        assert_contract(load(write(folder, content)), "s.toml", path)


# --- size and nesting ------------------------------------------------------------------------


def nested(kind: str, depth: int) -> str:
    if kind == "array":
        return "[" * depth + "1" + "]" * depth
    if kind == "table":
        return "{a = " * depth + "1" + "}" * depth
    return (
        "".join("[{a = " if i % 2 else "[" for i in range(depth))
        + "1"
        + "".join("}]" if i % 2 else "]" for i in reversed(range(depth)))
    )


@fuzz(30)
@given(
    st.sampled_from(["array", "table", "mixed"]),
    st.integers(1, 1500) | st.sampled_from([999, 1000, 1001, 1500, 3000]),
    st.sampled_from(["x = {}", "[firm]\nmanagers = {}", "extends = {}", "name = {}", "timeline"]),
    st.booleans(),
)
@example("array", 1000, "x = {}", False)
@example("table", 1000, "x = {}", False)
@example("array", 1000, "timeline", True)
def test_deeply_nested_values_are_rejected_quickly(kind, depth, place, extends):
    value = nested(kind, depth)
    if place == "timeline":
        line = f'[[timeline]]\nweek = 0\nset = {{ "policy.incentives.nps_weight" = {value} }}'
    else:
        line = place.replace("{}", value, 1)
    head = 'extends = "baseline.toml"\n' if extends and "extends" not in place else ""
    with scratch() as folder:
        assert_rejected(load(write(folder, head + line + "\n")), "s.toml")


@fuzz(30)
@given(
    st.integers(2, 2500) | st.sampled_from([1000, 2500]),
    st.sampled_from(["dotted", "header", "under_firm", "quoted"]),
    st.booleans(),
)
@example(1000, "dotted", True)
def test_long_dotted_keys_are_rejected_quickly(levels, form, extends):
    chain = ".".join(["a"] * levels)
    line = {
        "dotted": f"{chain} = 1",
        "header": f"[{chain}]\nb = 1",
        "under_firm": f"firm.{chain} = 1",
        "quoted": f'"{"k" * levels}" = 1',
    }[form]
    head = 'extends = "baseline.toml"\n' if extends else ""
    with scratch() as folder:
        assert_rejected(load(write(folder, head + line + "\n")), "s.toml")


# --- extends ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".toml"])
@pytest.mark.parametrize("name", BUNDLED)
def test_extends_may_name_a_bundled_scenario_with_or_without_toml(name, suffix):
    with scratch() as folder:
        outcome = load(write(folder, {"extends": name + suffix, "name": "mine"}))
    assert not isinstance(outcome, Rejected), outcome.message
    assert outcome.name == "mine"


ODD_EXTENDS = [
    *("", ".", "..", "/", "/nonexistent/x.toml", "../x.toml", "~/x.toml", "nps_bonus.tom"),
    *("NPS_BONUS", "a\x00b.toml", "s.toml", "s", "./s.toml"),
]
missing_names = st.from_regex(r"\A[a-z_]{1,20}(\.toml)?\Z").filter(
    lambda name: name.removesuffix(".toml") not in BUNDLED
)
bad_extends = st.one_of(
    missing_names,
    long_text.map(lambda text: text + ".toml"),
    weird_text.filter(lambda text: text.removesuffix(".toml") not in BUNDLED),
    st.sampled_from(ODD_EXTENDS),
    st.integers(),
    st.booleans(),
    st.lists(st.sampled_from(BUNDLED), max_size=2),
    tables,
    dates,
)


@fuzz(60)
@given(bad_extends)
@example("e" * 300)
@example("nps_bonus\n.toml")
def test_extends_to_a_missing_or_malformed_name_is_rejected_on_one_line(extends):
    with scratch() as folder:
        assert_rejected(load(write(folder, {"extends": extends})), "s.toml", "extends")


# --- the file itself -------------------------------------------------------------------------


INSERTS = [
    *(b"[", b"]", b"{", b"}", b"=", b'"', b"'", b"\n", b".", b"#", b"\xff", b"\x00", b"\r"),
    *(b"inf", b"nan", b"-", b"1e300", b"true", b'"5"', b"[[timeline]]\n", b"\xef\xbb\xbf"),
]


@st.composite
def mutated_bundled_files(draw: st.DrawFn) -> bytes:
    """A bundled file with a few bytes deleted, inserted or replaced, or cut short."""
    text = (bundled_scenarios()[0].parent / f"{draw(st.sampled_from(BUNDLED))}.toml").read_bytes()
    inserts = st.sampled_from(INSERTS)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "truncate"]))
        if action == "truncate":
            text = text[:position]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 8)) :]
        else:
            skip = 1 if action == "replace" else 0
            text = text[:position] + draw(inserts) + text[position + skip :]
    return text


@fuzz(60)
@given(mutated_bundled_files())
def test_a_mutated_bundled_file_loads_and_runs_or_is_rejected_on_one_line(content):
    with scratch() as folder:
        assert_contract(load(write(folder, content)), "s.toml")


@fuzz(20)
@given(control_text.filter(lambda text: "/" not in text and len(text.encode()) < 200))
def test_a_file_name_with_control_characters_is_reported_on_one_line(name):
    with scratch() as folder:
        missing = load(folder / f"{name}.toml")
        assert_rejected(missing)
        if "\x00" not in name:
            assert_rejected(load(write(folder, {"run": {"weeks": 0}}, f"{name}.toml")))


@fuzz(20)
@given(st.integers(3, 60), st.data())
def test_overriding_weeks_below_a_timeline_week_names_the_file(week, data):
    weeks = data.draw(st.integers(1, week))
    content = {"timeline": [{"week": week, "set": {"policy.incentives.nps_weight": 0.5}}]}
    with scratch() as folder:
        assert_rejected(load(write(folder, content), {"run.weeks": weeks}), "s.toml", "week")


# --- --set as the command line gives it -----------------------------------------------------


def toml_value(value: Any) -> str:
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()


set_texts = st.one_of(
    st.builds(
        lambda i, v: f"{i.path}={v}", params, st.sampled_from(["true", "inf", "nan", "-inf"])
    ),
    st.builds(lambda i, v: f"{i.path}={v}", params, weird_text),
    st.builds(lambda i, v: f"{i.path}={v}", params, st.sampled_from(["", "1e300", '"5"', "[1]"])),
    st.builds(lambda m: f"{m[0]}=1", mistyped_paths()),
    st.builds(lambda k: f"firm.{k}=1", weird_text),
    weird_text,  # often no "=" at all
)


@fuzz(60)
@given(set_texts)
@example("firm.managers=true")
@example("run.seed=true")
def test_any_set_text_loads_and_runs_or_is_rejected_naming_set(text):
    try:
        path, value = parse_assignment(text)
    except InputError as err:
        assert_one_line(str(err), "--set")
        return
    assert_contract(load("baseline", {path: value}), "--set")


@fuzz(30)
@given(st.data())
def test_valid_set_values_are_accepted(data):
    info = data.draw(params)
    value = data.draw(in_bounds(info))
    path, parsed = parse_assignment(f"{info.path}={toml_value(value)}")
    small = {size: 1 for size in TINY if size != path}  # the largest firm that runs
    outcome = load("baseline", {**small, path: parsed})
    assert not isinstance(outcome, Rejected), outcome.message


# --- the command line ------------------------------------------------------------------------


@st.composite
def mutant_scenarios(draw: st.DrawFn) -> dict[str, Any] | bytes:
    """A file for the command line: a mutated bundled file, or values placed in tables."""
    if draw(st.booleans()):
        return draw(mutated_bundled_files())
    content: dict[str, Any] = {}
    if draw(st.booleans()):
        content["extends"] = draw(st.sampled_from([*SHORT_BASES, *(n + ".toml" for n in BUNDLED)]))
    for _ in range(draw(st.integers(1, 3))):
        info = draw(params)
        kind = draw(st.sampled_from(["in_bounds", "extreme", "range", "type", "odd"]))
        strategy = {
            "in_bounds": in_bounds(info),
            "extreme": extreme_in_bounds(info),
            "range": out_of_range(info) if info in BOUNDED else in_bounds(info),
            "type": wrong_type(info),
            "odd": st.sampled_from(NON_FINITE + HUGE),
        }[kind]
        put(content, info.path, draw(strategy))
    if draw(st.booleans()):
        content["name"] = draw(weird_text | long_text | st.sampled_from(["", ".", "..", "a/b"]))
    if draw(st.booleans()):
        info = draw(st.sampled_from(POLICY))
        week = draw(st.integers(0, 2) | st.sampled_from([-1, "3", 2.5, True]))
        value = draw(in_bounds(info) | st.sampled_from(NON_FINITE))
        content["timeline"] = [{"week": week, "set": {info.path: value}}]
    return content


@fuzz(40)
@given(mutant_scenarios())
def test_validate_exits_0_or_2_with_one_line(content):
    with scratch() as folder:
        done = cli("validate", write(folder, content))
    assert_cli_contract(done, "s.toml")
    if done.status == 0:
        assert done.stdout.startswith("ok: ")


@fuzz(6)
@given(mutant_scenarios())
def test_run_exits_0_with_a_finite_ledger_or_2_without_writing(content):
    with scratch() as folder:
        out = folder / "x"
        done = cli(
            "run", write(folder, content), *(f"--set={s}" for s in TINY_SET),
            "--set=run.weeks=3", "--replications=1", "--workers=1", "--out", out, "--quiet",
        )  # fmt: skip
        assert_cli_contract(done, "s.toml")
        if done.status == 2:
            assert not out.exists(), f"{sorted(p.name for p in out.iterdir())} left behind"
        else:
            ledger = pd.read_csv(out / "ledger.csv")
            assert ledger[MONEY_COLUMNS].map(math.isfinite).all().all()


#: Whole numbers of 4,000 to 6,000 digits: Python refuses to read those over 4,300.
digits = st.integers(4000, 6000).map(lambda count: "9" * count)

cli_options = st.one_of(
    st.tuples(st.just("--weeks"), st.sampled_from(["0", "-1", "8.5", "abc", "inf", "", "1e3"])),
    st.tuples(st.just("--replications"), st.sampled_from(["0", "-1", "abc", "1.5"])),
    st.tuples(st.just("--seed"), st.sampled_from(["-1", str(2**64), "abc", "1.5", "true"])),
    st.tuples(st.just("--workers"), st.sampled_from(["0", "-3", "abc"])),
    st.tuples(st.just("--scheduler"), st.sampled_from(["not a url", "tcp://", "::", "\n"])),
    st.tuples(st.just("--set"), bad_set_texts),
    st.tuples(st.just("--model"), st.sampled_from(["nope", "nope:Model", "os:path", ":"])),
    # Issue 28: numbers past Python's 4,300 digits, bounds named as typed, absurd sizes.
    st.tuples(st.just("--weeks"), st.integers(5201, 10**9).map(str) | digits),
    st.tuples(st.just("--replications"), digits | st.just("1000000000000")),
    st.tuples(st.just("--set"), digits.map(lambda text: f"run.weeks={text}")),
    st.tuples(st.just("--set"), digits.map(lambda text: f"firm.product_quality=0.{text}")),
    st.tuples(st.just("--out"), st.just("")),
)


@fuzz(10)
@given(cli_options)
@example(("--set", "firm.managers=true"))
@example(("--scheduler", "not a url"))
@example(("--weeks", "5201"))
@example(("--set", "run.weeks=" + "9" * 5000))
def test_run_with_a_bad_option_exits_2_with_one_line_and_writes_nothing(option):
    with scratch() as folder:
        out = folder / "x"
        done = cli(
            "run", "baseline", *(f"--set={s}" for s in TINY_SET), "--set=run.weeks=3",
            "--replications=1", "--workers=1", "--out", out, "--quiet", *option,
        )  # fmt: skip
        assert_cli_contract(done)
        assert done.status == 2, f"{option} accepted"
        assert not out.exists(), f"{sorted(p.name for p in out.iterdir())} left behind"


# --- issue 28: output folders a careless or hostile user prepared ---------------------------

RUN_TINY = [*(f"--set={s}" for s in TINY_SET), "--set=run.weeks=3", "--replications=2"]
RUN_TINY += ["--workers=1", "--quiet"]


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under ``folder`` (links not followed): its type and, for a file, its bytes."""
    seen = {}
    for parent, folders, files in os.walk(folder):
        for name in (*folders, *files):
            path = Path(parent) / name
            mode = path.lstat().st_mode
            data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
            seen[str(path.relative_to(folder))] = (mode, data)
    return seen


def hazard(out: Path, outside: Path, kind: str, junk: bytes) -> None:
    """Prepare ``out`` with one hazard; ``outside`` is where nothing may change."""
    out.mkdir()
    (outside / "victim.txt").write_text("precious")
    if kind == "lock_link":
        (out / ".npssim.lock").symlink_to(outside / "victim.txt")
    elif kind == "lock_fifo":
        os.mkfifo(out / ".npssim.lock")
    elif kind in ("figures_link", "runs_link", "scenarios_link"):
        (out / "manifest.json").write_text('{"plan": {}, "files": {"manifest.json": null}}')
        name = kind.removesuffix("_link")
        (out / name).symlink_to(outside, target_is_directory=True)
    elif kind == "report_link":
        (out / "manifest.json").write_text('{"plan": {}, "files": {"report.md": null}}')
        (out / "report.md").symlink_to(outside / "victim.txt")
    elif kind == "report_fifo":
        (out / "manifest.json").write_text('{"plan": {}, "files": {"report.md": null}}')
        os.mkfifo(out / "report.md")
    elif kind == "users_report":
        (out / "manifest.json").write_text('{"plan": {}, "files": {}}')
        (out / "report.md").write_text("my own")
    else:  # a manifest of junk: any bytes, or JSON that is not an npssim manifest
        (out / "manifest.json").write_bytes(junk)
        (out / "scenarios").mkdir()
        (out / "scenarios" / "my_policy.toml").write_text("mine")


HAZARDS = [
    "lock_link", "lock_fifo", "figures_link", "runs_link", "scenarios_link", "report_link",
    "report_fifo", "users_report", "junk_manifest",
]  # fmt: skip
junk_manifests = st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"[1, 2]", b'{"plan": "x"}', b"{", b'{"plan": {}, "files": [1]}', b"null"]),
    st.text(max_size=40).map(lambda text: tomli_w.dumps({"plan": text}).encode()),
)


@fuzz(12)
@given(st.sampled_from(HAZARDS), st.sampled_from([[], ["--resume"], ["--force"]]), junk_manifests)
@example("lock_link", [], b"")
@example("figures_link", ["--force"], b"")
@example("junk_manifest", ["--resume"], b"[1, 2]")
def test_a_prepared_output_folder_changes_nothing_outside_and_ends_in_one_line(kind, flags, junk):
    with scratch() as folder:
        out, outside = folder / "out", folder / "outside"
        outside.mkdir()
        hazard(out, outside, kind, junk)
        before = snapshot(outside)
        users = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.is_symlink()}
        done = cli("run", "baseline", *RUN_TINY, "--out", out, *flags)
        assert_cli_contract(done)
        assert snapshot(outside) == before  # nothing written or removed through a link
        for path, data in users.items():
            if path.name != "manifest.json":  # npssim's, when it is one
                assert path.read_bytes() == data, f"{path.name} changed"
        if kind != "junk_manifest":
            assert done.status == 2, f"{kind} {flags} accepted"


def damage(run: Path, how: str, cut: int, other: Path) -> None:
    data = run.read_bytes()
    if how == "truncate":
        run.write_bytes(data[: cut % len(data)])
    elif how == "flip":
        position = cut % len(data)
        run.write_bytes(data[:position] + bytes([data[position] ^ 0xFF]) + data[position + 1 :])
    else:  # swap with another stored run
        run.write_bytes(other.read_bytes())
        other.write_bytes(data)


@fuzz(1)  # three whole CLI runs with their reports each: 10 examples in CI's profile
@given(st.sampled_from(["truncate", "flip", "swap"]), st.integers(0, 10**6))
@example("truncate", 100)
def test_a_damaged_stored_run_is_simulated_again_and_the_tables_are_unchanged(how, cut):
    with scratch() as folder:
        whole, damaged = folder / "whole", folder / "damaged"
        assert cli("run", "baseline", *RUN_TINY, "--out", whole).status == 0
        assert cli("run", "baseline", *RUN_TINY, "--out", damaged).status == 0
        runs = sorted((damaged / "runs").rglob("*.npz"))
        damage(runs[0], how, cut, runs[-1])
        done = cli("run", "baseline", *RUN_TINY, "--out", damaged, "--resume")
        assert done.status == 0, done.stderr
        assert "simulating them again" in done.stderr
        assert (damaged / "ledger.csv").read_bytes() == (whole / "ledger.csv").read_bytes()
