"""Commands that describe rather than simulate.

validate, params, metrics, scenarios, new and schema read the schema, the metric registry and
the bundled scenarios; none of them runs the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from npssim.cli.parser import EXIT_BAD_INPUT
from npssim.errors import InputError
from npssim.files import atomic_path
from npssim.metrics import REGISTRY, SIDE_TITLES, MetricSet
from npssim.scenario import (
    ParamInfo,
    Scenario,
    ScenarioError,
    bundled_scenarios,
    iter_params,
    load_scenario,
)
from npssim.scenario.template import check_scenario_name, json_schema, scenario_template


def validate(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim validate``: one line per file, exit 2 if any is wrong."""
    failed = 0
    schema = _model_schema(args)
    for name in args.files:
        try:
            scenario = load_scenario(name, schema=schema)
        except ScenarioError as err:
            failed += 1
            print(f"npssim: error: {err}", file=sys.stderr)
        else:
            stdout.print(f"ok: {name} ({scenario.name})", highlight=False, markup=False)
    return EXIT_BAD_INPUT if failed else 0


def params(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim params``: every parameter, generated from the schema."""
    schema = _model_schema(args)
    if args.markdown:
        print(params_markdown(schema))
        return 0
    for info in iter_params(schema):
        details = escape(f"= {info.default!r}  {_bounds(info)}  [{info.unit}]")
        stdout.print(
            f"[bold]{escape(info.path)}[/bold] {details}\n"
            f"    {escape(info.meaning)}  (source: {escape(info.source)})",
            highlight=False,
        )
    return 0


def _bounds(info: ParamInfo) -> str:
    if info.choices:
        return "one of " + ", ".join(repr(choice) for choice in info.choices)
    lower, upper = info.lower, info.upper
    if lower is None and upper is None:
        return ""
    bounds = f"[{'' if lower is None else lower} .. {'' if upper is None else upper}]"
    if info.plausible is not None:
        bounds += f"; plausible {info.plausible[0]:g} to {info.plausible[1]:g}"
    return bounds


def params_markdown(schema: type[Scenario] = Scenario) -> str:
    """Every parameter as a Markdown table (used in docs/ODD.md; a model class's with its own)."""
    lines = [
        "| parameter | default | range | unit | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for info in iter_params(schema):
        meaning = info.meaning.replace("|", "\\|")
        lines.append(
            f"| `{info.path}` | `{info.default!r}` | {_bounds(info)} | {info.unit} | "
            f"{meaning} | {info.source} |"
        )
    return "\n".join(lines)


def metrics(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim metrics``: every metric of the registry, with its label, unit and meaning."""
    metric_set = _model_metrics(args)
    if args.markdown:
        print(metrics_markdown(metric_set))
        return 0
    for metric in metric_set.metrics:
        kind = "running total" if metric.cumulative else "level"
        better = f", {metric.better} is better" if metric.better else ""
        # The whole bracket is escaped, not only the unit: Rich reads "[share; level; ...]"
        # as a markup tag and dropped it for most metrics.
        details = escape(f"[{metric.unit}; {kind}; {_SIDE_WORDS[metric.side]}{better}]")
        stdout.print(
            f"[bold]{escape(metric.name)}[/bold]  {escape(metric.label)}  {details}\n"
            f"    {escape(metric.meaning)}",
            highlight=False,
        )
    return 0


_SIDE_WORDS = {
    "shown": "what the NPS dashboard shows",
    "good": "a good",
    "bad": "a bad",
    "context": "context",
}


def metrics_markdown(metric_set: MetricSet = REGISTRY) -> str:
    """Every metric as a Markdown table (a model class's with its own)."""
    lines = [
        "| name | label | unit | kind | side | better | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for metric in metric_set.metrics:
        kind = "running total" if metric.cumulative else "level"
        if metric.integer:
            kind += ", count"
        meaning = metric.meaning.replace("|", "\\|")
        lines.append(
            f"| `{metric.name}` | {metric.label} | {metric.unit} | {kind} | "
            f"{SIDE_TITLES[metric.side]} | {metric.better or ''} | {meaning} |"
        )
    return "\n".join(lines)


def _model_schema(args: argparse.Namespace) -> type[Scenario]:
    """The scenario schema of the class ``--model`` names: its own parameters included."""
    model = getattr(args, "model", None)
    if model is None:
        return Scenario
    from npssim.experiment.runs import load_model_class  # imports the model: only if asked

    return load_model_class(model).scenario_schema


def _model_metrics(args: argparse.Namespace) -> MetricSet:
    """The metrics of the class ``--model`` names: its own included."""
    model = getattr(args, "model", None)
    if model is None:
        return REGISTRY
    from npssim.experiment.runs import load_model_class  # imports the model: only if asked

    return load_model_class(model).metric_set


def scenarios(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim scenarios``: the bundled scenarios, one line each."""
    files = bundled_scenarios()
    width = max(len(path.stem) for path in files)
    for path in files:
        scenario = load_scenario(path)
        summary = scenario.description.split(". ")[0].rstrip(".")
        stdout.print(f"{path.stem.ljust(width)}  {summary}", highlight=False, markup=False)
    return 0


def new(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim new``: write a commented scenario template."""
    name = check_scenario_name(args.name)
    text = scenario_template(name, extends=args.extends)
    target: Path = args.out or Path(f"{name}.toml")
    _check_writable(target, replace=args.force, option="--out" if args.out else "npssim new")
    with atomic_path(target) as temporary:
        temporary.write_text(text, encoding="utf-8")
        if args.extends is not None:  # the base is read relative to the new file, as it will be
            try:
                inherited = load_scenario(temporary)
            except ScenarioError as err:
                raise InputError(f"--extends {args.extends}: {err.problem}") from None
            # The commented lines show the values that apply once the base is read.
            text = scenario_template(name, extends=args.extends, inherited=inherited)
            temporary.write_text(text, encoding="utf-8")
    stdout.print(
        f"Wrote {target}. Edit it, then: npssim validate {target} && npssim run {target}",
        highlight=False,
        markup=False,
    )
    return 0


def _check_writable(target: Path, *, replace: bool, option: str) -> None:
    """Refuse a target that is a folder, sits in a missing folder, or exists (unless replaced)."""
    if target.is_dir():
        raise InputError(f"{option} {target}: is a folder; give a file name")
    if not target.parent.is_dir():
        raise InputError(f"{option} {target}: no folder {target.parent}")
    if target.exists() and not replace:
        raise InputError(f"{option} {target}: already exists; add --force to replace it")


def schema(args: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """``npssim schema``: the JSON Schema of scenario files."""
    text = json.dumps(json_schema(), indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    _check_writable(args.out, replace=True, option="--out")
    with atomic_path(args.out) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return 0
