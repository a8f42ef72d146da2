"""A fixed battery of the bad inputs of issues 15 and 28, run against the ``npssim`` command.

Run it from the project's root, after the README's install::

    .venv/bin/python benchmarks/fuzz_inputs.py                    # every case, under a minute
    .venv/bin/python benchmarks/fuzz_inputs.py --only nested --only extends

Each case writes its scenario files into a fresh temporary folder, runs ``npssim`` there as a
subprocess and checks the bad-input contract:

- the exit status is the one expected (2 for a rejection, 0 where the input is valid; a few cases
  may go either way, such as a value the schema may accept and run or refuse);
- on exit 2, stderr is exactly one line starting ``npssim: error:`` that names the file or option
  (and the parameter) at fault, it came in under two seconds (``--budget``), and the output
  folder was not created (or, for an existing folder, left as it was);
- on exit 0, the run's ``ledger.csv`` has finite money and counts;
- never a traceback, never a hang (``--timeout``).

It prints one row per case, PASS, FAIL (with the reasons) or SKIP, then the command and stderr of
each failure, and exits 1 if any case failed. The read-only cases mount a read-only tmpfs (root
only; permissions alone do not stop root), and are skipped where that is not possible.
``npssim``'s own start-up time is measured first and shown: every rejection pays it.

No result here is asserted by the test suite: ``tests/scenario/test_fuzz.py`` holds the
property-based fuzz test; this script is the fixed battery to run by hand or in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.markup import escape
from rich.table import Table

BUDGET = 2.0
TIMEOUT = 30.0
#: The smallest firm, for every case that runs: 10 accounts, 3 weeks, one replication.
FIRM = ["--set", "firm.managers=1", "--set", "firm.reps_per_manager=2"]
FIRM += ["--set", "firm.accounts_per_rep=5", "--replications", "1", "--workers", "1", "--quiet"]
TINY = [*FIRM, "--set", "run.weeks=3"]
#: Ledger columns that may be empty in a three-week run of ten accounts (nothing came up for
#: renewal, nobody answered): ratios, never money or counts.
MAY_BE_EMPTY = {
    *("retention_rate", "signal_validity", "latent_signal_validity", "reported_nps"),
    *("nps_inflation", "response_rate", "share_coached", "share_bribed", "share_hostage"),
    *("share_cherry_picked", "discount_rate"),
}


@dataclass
class Case:
    """One input and what the command must do with it.

    Attributes:
        name: Short name, shown in the table and matched by ``--only``.
        argv: The arguments after ``npssim``.
        expect: The acceptable exit statuses.
        names: What stderr must name on exit 2 (the file, option, parameter).
        out: An output folder that must not exist after exit 2 (and holds a ledger after 0).
        unchanged: An existing folder that must be left as it was.
        budget: The longest a rejection may take, or None for no limit.
        skip: Why the case cannot run here ("" when it can).
        kept: Paths (a user's file, a link's target, a device) whose type and bytes must be
            the same afterwards, whatever the exit.
        hidden: Text stderr must not hold (a secret read through ``extends``).
    """

    name: str
    argv: list[str]
    expect: frozenset[int] = frozenset({2})
    names: tuple[str, ...] = ()
    out: Path | None = None
    unchanged: Path | None = None
    budget: float | None = BUDGET
    skip: str = ""
    kept: tuple[Path, ...] = ()
    hidden: tuple[str, ...] = ()


@dataclass
class Outcome:
    case: Case
    status: str  # PASS, FAIL, SKIP
    exit: int | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    stderr: str = ""


class BadArguments(Exception):
    """The script's own command line is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BadArguments(message)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="run the cases whose name contains TEXT (repeatable)",
    )
    parser.add_argument(
        "--npssim", type=Path, default=None, help="the npssim command (default: beside this Python)"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET,
        help=f"seconds a rejection may take (default {BUDGET})",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT,
        help=f"seconds before a case counts as hung (default {TIMEOUT})",
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------- the battery


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def nested(opening: str, closing: str, depth: int) -> str:
    return opening * depth + "1" + closing * depth


def file_cases(work: Path) -> list[Case]:
    """Scenario files from issue 15, each run with ``npssim run FILE --out ...``."""
    extends = 'extends = "baseline.toml"\n'
    bonus = 'extends = "nps_bonus.toml"\n'
    dotted_1000 = ".".join(["a"] * 1000)
    dotted_100kb = ".".join(["a"] * 50_000)
    timeline = '[[timeline]]\nweek = 1\nset = {{ "policy.incentives.{}" = {} }}\n'
    files = {
        # name: (text, expected statuses, parameter named in the message)
        "nested_arrays_1000": (f"x = {nested('[', ']', 1000)}\n", {2}, ""),
        "nested_tables_1000": (f"x = {nested('{a = ', '}', 1000)}\n", {2}, ""),
        "dotted_key_1000_with_extends": (f"{extends}{dotted_1000} = 1\n", {2}, ""),
        "dotted_key_100kb": (f"{dotted_100kb} = 1\n", {2}, ""),
        "extends_300_chars": (f'extends = "{"e" * 300}.toml"\n', {2}, "extends"),
        "name_300_chars": (f'{extends}name = "{"n" * 300}"\n', {0, 2}, "name"),
        "timeline_inf": (bonus + timeline.format("target_nps", "inf"), {2}, "target_nps"),
        "timeline_nan": (bonus + timeline.format("nps_weight", "nan"), {2}, "nps_weight"),
        "policy_base_salary_inf": (
            f"{bonus}[policy.pay]\nbase_salary = inf\n",
            {2},
            "policy.pay.base_salary",
        ),
        "managers_bonus_target_inf": (
            f"{bonus}[managers]\nbonus_target = inf\n",
            {2},
            "managers.bonus_target",
        ),
        "rep_turnover_cost_inf": (
            f"{bonus}[firm]\nrep_turnover_cost = inf\n",
            {2},
            "firm.rep_turnover_cost",
        ),
        "acv_median_1e300": (f"{bonus}[accounts]\nacv_median = 1e300\n", {0, 2}, "acv_median"),
        "acv_median_inf": (f"{bonus}[accounts]\nacv_median = inf\n", {2}, "accounts.acv_median"),
        "managers_true": (f"{extends}[firm]\nmanagers = true\n", {2}, "firm.managers"),
        "product_quality_string": (
            f'{extends}[firm]\nproduct_quality = "5"\n',
            {2},
            "firm.product_quality",
        ),
        "weeks_string": (f'{extends}[run]\nweeks = "8"\n', {2}, "run.weeks"),
        "seed_true": (f"{extends}[run]\nseed = true\n", {2}, "run.seed"),
        "timeline_week_string": (
            f'{bonus}[[timeline]]\nweek = "1"\nset = {{ "policy.incentives.nps_weight" = 0.5 }}\n',
            {2},
            "week",
        ),
        "key_with_newline": (f'{extends}"a\\nb" = 1\n', {2}, ""),
        "table_key_with_newline": (f'{extends}[policy.incentives]\n"nps\\nweight" = 1\n', {2}, ""),
        "extends_with_newline": ('extends = "nps_bonus\\n.toml"\n', {2}, "extends"),
        "bare_extends_accepted": ('extends = "nps_bonus"\nname = "mine"\n', {0}, ""),
    }
    cases = []
    for name, (text, expect, parameter) in files.items():
        file = write(work, f"{name}.toml", text)
        out = work / f"{name}.out"
        names = (file.name, parameter) if parameter else (file.name,)
        cases.append(
            Case(name, ["run", str(file), *TINY, "--out", str(out)], frozenset(expect), names, out)
        )
    return cases


def option_cases(work: Path, read_only: Path | None, why_not: str) -> list[Case]:
    """Command lines from issue 15: options and output folders."""
    week26 = write(work, "week26.toml", 'extends = "intervention_week26.toml"\n')
    existing = work / "existing_dir"
    existing.mkdir()
    out = {name: work / f"{name}.out" for name in ("set", "weeks", "url", "down", "ro", "sens")}
    ro = read_only or work / "no_read_only_mount"
    return [
        Case(
            "valid_run_baseline",
            ["run", "baseline", *TINY, "--out", str(work / "ok")],
            frozenset({0}),
            out=work / "ok",
        ),
        Case(
            "set_managers_true",
            ["run", "baseline", *TINY, "--set", "firm.managers=true", "--out", str(out["set"])],
            names=("--set", "firm.managers"),
            out=out["set"],
        ),
        Case(
            "weeks_8_below_a_week_26_timeline",
            ["run", str(week26), *FIRM, "--weeks", "8", "--out", str(out["weeks"])],
            names=(week26.name, "week"),
            out=out["weeks"],
        ),
        Case(
            "scheduler_not_a_url",
            ["run", "baseline", *TINY, "--scheduler", "not a url", "--out", str(out["url"])],
            names=("--scheduler",),
            out=out["url"],
        ),
        Case(
            "scheduler_unreachable",
            [
                "run",
                "baseline",
                *TINY,
                "--scheduler",
                "tcp://127.0.0.1:9",
                "--out",
                str(out["down"]),
            ],
            names=("--scheduler",),
            out=out["down"],
            budget=None,
        ),
        Case(
            "run_out_read_only",
            ["run", "baseline", *TINY, "--out", str(ro / "x")],
            names=(ro.name,),
            out=ro / "x",
            skip=why_not,
        ),
        Case(
            "schema_out_read_only",
            ["schema", "--out", str(ro / "schema.json")],
            names=(ro.name,),
            out=ro / "schema.json",
            skip=why_not,
        ),
        Case(
            "sensitivity_one_param",
            [
                "sensitivity",
                "baseline",
                *TINY,
                "--param",
                "reps.integrity_mean=0.3:0.9",
                "--samples",
                "2",
                "--out",
                str(out["sens"]),
            ],
            names=("--param",),
            out=out["sens"],
        ),
        Case(
            "calibrate_out_existing_dir",
            [
                "calibrate",
                "baseline",
                *TINY,
                "--target",
                "reported_nps=32",
                "--free",
                "accounts.response_rate=0.05:0.6",
                "--max-evaluations",
                "4",
                "--out",
                str(existing),
            ],
            names=("--out", existing.name),
            unchanged=existing,
        ),
    ]


def folder_cases(work: Path, npssim: Path) -> list[Case]:
    """Issue 28: output folders prepared with links, devices, FIFOs, users' files, damage."""
    victim = write(work, "victim.txt", "precious")
    fifo = work / "fifo"
    os.mkfifo(fifo)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    kept_there = write(elsewhere, "keep.png", "not npssim's")
    folders = {}
    for name in ("lock_link", "lock_dir", "fig_link", "users", "junk", "list", "plan"):
        folders[name] = work / f"{name}.out"
        folders[name].mkdir()
    (folders["lock_link"] / ".npssim.lock").symlink_to(victim)
    (folders["lock_dir"] / ".npssim.lock").mkdir()
    record = '{"plan": {}, "files": {"manifest.json": null}}'
    write(folders["fig_link"], "manifest.json", record)
    (folders["fig_link"] / "figures").symlink_to(elsewhere, target_is_directory=True)
    write(folders["users"], "manifest.json", record)
    users_report = write(folders["users"], "report.md", "my own report")
    write(folders["junk"], "manifest.json", "{not json")
    write(folders["list"], "manifest.json", "[1, 2]")
    write(folders["plan"], "manifest.json", '{"plan": "x"}')
    (work / "dangling").symlink_to(work / "nowhere")
    # A finished tiny run, then one of its runs truncated and two swapped: --resume completes
    # both with the same ledger. Its user's files in figures/ and scenarios/ survive --force.
    finished = work / "finished.out"
    subprocess.run(
        [str(npssim), "run", "baseline", *TINY, "--replications", "2", "--out", str(finished)],
        capture_output=True,
        cwd=work,
        check=False,
    )
    damaged = {name: work / f"{name}.out" for name in ("truncated", "swapped", "forced")}
    for folder in damaged.values():
        if finished.is_dir():
            shutil.copytree(finished, folder, symlinks=True)
    runs = sorted((damaged["truncated"] / "runs").rglob("*.npz"))
    if runs:
        runs[0].write_bytes(runs[0].read_bytes()[:100])
    runs = sorted((damaged["swapped"] / "runs").rglob("*.npz"))
    if len(runs) > 1:
        first = runs[0].read_bytes()
        runs[0].write_bytes(runs[1].read_bytes())
        runs[1].write_bytes(first)
    mine = []
    if damaged["forced"].is_dir():
        mine = [
            write(damaged["forced"] / "figures", "board_slide.png", "mine"),
            write(damaged["forced"] / "scenarios", "my_policy.toml", "mine"),
        ]
    run = ["run", "baseline", *TINY, "--replications", "2", "--out"]
    return [
        Case("lock_is_a_link", [*run, str(folders["lock_link"])], kept=(victim,)),
        Case("lock_is_a_folder", [*run, str(folders["lock_dir"])], names=(".npssim.lock",)),
        Case("out_dangling_link", [*run, str(work / "dangling")], names=("--out",)),
        Case("schema_out_dev_null", ["schema", "--out", "/dev/null"], names=("--out",),
             kept=(Path("/dev/null"),)),
        Case("new_force_out_dev_null", ["new", "x", "--force", "--out", "/dev/null"],
             names=("--out",), kept=(Path("/dev/null"),)),
        Case("schema_out_fifo", ["schema", "--out", str(fifo)], names=("--out",), kept=(fifo,)),
        Case("force_figures_link", [*run, str(folders["fig_link"]), "--force"],
             names=("figures",), kept=(kept_there,)),
        Case("resume_figures_link", [*run, str(folders["fig_link"]), "--resume"],
             names=("figures",), kept=(kept_there,)),
        Case("force_users_report", [*run, str(folders["users"]), "--force"],
             names=("report.md",), kept=(users_report,)),
        Case("resume_manifest_not_json", [*run, str(folders["junk"]), "--resume"],
             names=("manifest.json", "JSON")),
        Case("resume_manifest_a_list", [*run, str(folders["list"]), "--resume"],
             names=("manifest.json",)),
        Case("resume_manifest_plan_a_string", [*run, str(folders["plan"]), "--resume"],
             names=("manifest.json",)),
        Case("resume_truncated_run", [*run, str(damaged["truncated"]), "--resume"],
             frozenset({0}), out=damaged["truncated"], budget=None),
        Case("resume_swapped_runs", [*run, str(damaged["swapped"]), "--resume"],
             frozenset({0}), out=damaged["swapped"], budget=None),
        Case("force_keeps_users_files", [*run, str(damaged["forced"]), "--force"],
             frozenset({0}), out=damaged["forced"], budget=None, kept=tuple(mine)),
    ]  # fmt: skip


def number_cases(work: Path) -> list[Case]:
    """Issue 28: numbers past Python's 4,300 digits, bounds named as typed, absurd sizes."""
    long = "9" * 5000
    big = write(work, "big_int.toml", f"[run]\nweeks = {long}\n")
    secret = write(work, "secret.txt", '[firm]\ncurrency = "s3cr3t-TOKEN-123"\n')
    extends = write(work, "extends_secret.toml", f'extends = "{secret.name}"\n')
    package = work / "firms"
    package.mkdir()
    write(package, "__init__.py", "open('package_ran', 'w').write('ran')\n")
    out = work / "numbers.out"
    run = ["run", "baseline", *TINY, "--out", str(out)]
    free = ["--free", "accounts.response_rate=0.05:0.6"]
    vary = ["sweep", "baseline", *TINY, "--out", str(out), "--vary"]
    return [
        Case("scenario_int_5000_digits", ["validate", str(big)], names=(big.name,)),
        Case("set_int_5000_digits", [*run, "--set", f"run.weeks={long}"], names=("--set",),
             out=out),
        Case("weeks_5000_digits", [*run, "--weeks", long], names=("--weeks",), out=out,
             hidden=("9" * 200,)),
        Case("weeks_5201_named_weeks", [*run, "--weeks", "5201"], names=("--weeks",), out=out),
        Case("target_5000_digits", ["calibrate", "baseline", *TINY, "--target",
             f"reported_nps={long}", *free], names=("--target",), hidden=("9" * 200,)),
        Case("vary_run_weeks", [*vary, "run.weeks=1,2"], names=("--vary", "run.weeks"), out=out),
        Case("vary_words", [*vary, "policy.incentives.nps_weight=a,b"], names=("--vary",), out=out),
        Case("vary_out_of_range", [*vary, "policy.incentives.nps_weight=0:2:3"],
             names=("--vary",), out=out),
        Case("vary_nan", [*vary, "policy.incentives.nps_weight=nan,1"], names=("--vary",), out=out),
        Case("evidence_set_unknown", ["evidence", "--set", "nope=1", "--out", str(out)],
             names=("--set", "nope"), out=out),
        Case("explore_replications_31", ["explore", "--replications", "31"],
             names=("--replications",)),
        Case("out_empty", ["run", "baseline", *TINY, "--out", ""], names=("--out",)),
        Case("replications_10_to_the_12", [*run, "--replications", "1000000000000"],
             names=("runs",), out=out),
        Case("sweep_grid_1000_by_1000", ["sweep", "baseline", "--out", str(out), "--vary",
             "firm.product_quality=1:9:1000", "--vary", "policy.incentives.nps_weight=0:1:1000"],
             names=("--yes",), out=out),
        Case("extends_a_secret", ["validate", str(extends)], names=("extends",),
             hidden=("s3cr3t",)),
        Case("model_missing_submodule", [*run, "--model", "firms.nosuch:Firm"],
             names=("--model",), out=out, kept=(work / "package_ran",)),
    ]  # fmt: skip


@contextlib.contextmanager
def read_only_folder(work: Path) -> Iterator[tuple[Path | None, str]]:
    """A read-only tmpfs mounted in ``work``, or (None, why not)."""
    folder = work / "read_only"
    folder.mkdir()
    mount = shutil.which("mount")
    if mount is None:
        yield None, "no mount command"
        return
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        yield None, f"cannot mount a read-only tmpfs: {done.stderr.strip() or done.returncode}"
        return
    try:
        yield folder, ""
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


# ----------------------------------------------------------------------------- the checks


def ledger_problems(folder: Path) -> list[str]:
    ledger = folder / "ledger.csv"
    if not ledger.is_file():
        return [f"exit 0 but no {ledger.name} in {folder.name}"]
    problems = []
    with ledger.open(newline="") as handle:
        for row in csv.DictReader(handle):
            for column, text in row.items():
                if column in ("scenario", "replication", "seed") or column in MAY_BE_EMPTY:
                    continue
                try:
                    value = float(text)
                except (TypeError, ValueError):
                    value = math.nan
                if not math.isfinite(value):
                    problems.append(f"ledger {column} = {text!r}")
    return problems[:3]


def listing(folder: Path) -> str:
    names = sorted(path.name for path in folder.iterdir()) if folder.is_dir() else [folder.name]
    return ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")


def state(path: Path) -> tuple[int, bytes | None] | None:
    """A path's type and, for a regular file, its bytes (None when it is not there)."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    return mode, path.read_bytes() if stat.S_ISREG(mode) else None


def check(case: Case, npssim: Path, work: Path, budget: float, timeout: float) -> Outcome:
    if case.skip:
        return Outcome(case, "SKIP", problems=[case.skip])
    before = listing(case.unchanged) if case.unchanged else ""
    kept = {path: state(path) for path in case.kept}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [str(npssim), *case.argv], capture_output=True, text=True, cwd=work, timeout=timeout
        )
    except subprocess.TimeoutExpired as expired:
        stderr = expired.stderr.decode(errors="replace") if expired.stderr else ""
        seconds = time.perf_counter() - started
        return Outcome(case, "FAIL", None, seconds, [f"hung: killed after {timeout:.0f} s"], stderr)
    seconds = time.perf_counter() - started
    stderr, problems = done.stderr, []
    if done.returncode not in case.expect:
        wanted = " or ".join(str(status) for status in sorted(case.expect))
        problems.append(f"exit {done.returncode}, expected {wanted}")
    if "Traceback" in stderr or "Traceback" in done.stdout:
        problems.append(f"traceback ({stderr.count(chr(10))} lines of stderr)")
    if done.returncode == 2:
        lines = stderr.splitlines()
        if len(lines) != 1 or not stderr.endswith("\n"):
            problems.append(f"stderr is {len(lines)} lines, not one")
        if not stderr.startswith("npssim: error: "):
            problems.append("stderr does not start with 'npssim: error: '")
        missing = [name for name in case.names if name not in stderr]
        if missing:
            problems.append(f"does not name {', '.join(missing)}")
        limit = None if case.budget is None else budget
        if limit is not None and seconds > limit:
            problems.append(f"rejected after {seconds:.1f} s (> {limit:.0f} s)")
        if case.out is not None and case.out.exists():
            problems.append(f"left {case.out.name}: {listing(case.out)}")
    elif done.returncode == 0 and case.out is not None and case.argv[0] == "run":
        problems.extend(ledger_problems(case.out))
    elif done.returncode not in (0, 2) and case.out is not None and case.out.exists():
        problems.append(f"left {case.out.name}: {listing(case.out)}")
    if case.unchanged is not None and listing(case.unchanged) != before:
        problems.append(f"changed {case.unchanged.name}: now {listing(case.unchanged)}")
    problems.extend(f"changed {path}" for path, was in kept.items() if state(path) != was)
    problems.extend(f"stderr shows {text!r}" for text in case.hidden if text in stderr)
    status = "FAIL" if problems else "PASS"
    return Outcome(case, status, done.returncode, seconds, problems, stderr)


def start_up_seconds(npssim: Path, work: Path) -> float:
    """The best of three ``npssim --version``: what every rejection pays before it starts."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([str(npssim), "--version"], capture_output=True, cwd=work)
        best = min(best, time.perf_counter() - started)
    return best


def first_and_last(text: str) -> str:
    lines = text.splitlines() or [""]
    if len(lines) <= 2:
        return " | ".join(lines)
    return f"{lines[0]} | ... ({len(lines)} lines) ... | {lines[-1]}"


def main(argv: list[str]) -> int:
    console, errors = Console(), Console(stderr=True)
    if not console.is_terminal:
        console = Console(width=max(console.width, 160))
    try:
        arguments = parse(argv)
    except BadArguments as err:
        print(f"fuzz_inputs.py: error: {err}", file=sys.stderr)
        return 2
    npssim = arguments.npssim or Path(sys.executable).parent / "npssim"
    if not npssim.is_file():
        print(f"fuzz_inputs.py: error: --npssim: no such command: {npssim}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="npssim-fuzz-") as folder:
        work = Path(folder)
        with read_only_folder(work) as (read_only, why_not):
            cases = file_cases(work) + option_cases(work, read_only, why_not)
            cases += folder_cases(work, npssim) + number_cases(work)
            if arguments.only:
                cases = [c for c in cases if any(text in c.name for text in arguments.only)]
            if arguments.list:
                for case in cases:
                    console.print(escape(f"{case.name}: npssim {' '.join(case.argv)}"))
                return 0
            start_up = start_up_seconds(npssim, work)
            errors.print(f"npssim starts in {start_up:.2f} s (--version, best of 3)")
            outcomes = []
            with errors.status("starting") as status:
                for case in cases:
                    status.update(case.name)
                    outcomes.append(check(case, npssim, work, arguments.budget, arguments.timeout))
    table = Table(
        title=f"Bad-input battery: {len(outcomes)} cases (npssim starts in {start_up:.2f} s)"
    )
    for column in ("case", "result", "exit", "seconds", "reasons"):
        table.add_column(column, justify="right" if column in ("exit", "seconds") else "left")
    colour = {"PASS": "green", "FAIL": "red", "SKIP": "yellow"}
    for outcome in outcomes:
        table.add_row(
            outcome.case.name,
            f"[{colour[outcome.status]}]{outcome.status}",
            "" if outcome.exit is None else str(outcome.exit),
            f"{outcome.seconds:.1f}",
            escape("; ".join(outcome.problems)),
        )
    console.print(table)
    failed = [outcome for outcome in outcomes if outcome.status == "FAIL"]
    for outcome in failed:
        console.print(f"\n[bold]{escape(outcome.case.name)}[/bold]", highlight=False)
        command = " ".join(
            ["npssim", *(arg if len(arg) < 80 else arg[:60] + "..." for arg in outcome.case.argv)]
        )
        console.print(f"  $ {escape(command)}", highlight=False, soft_wrap=True)
        console.print(
            f"  stderr: {escape(first_and_last(outcome.stderr))}", highlight=False, soft_wrap=True
        )
    counts = {status: sum(o.status == status for o in outcomes) for status in colour}
    console.print(f"\n{counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
