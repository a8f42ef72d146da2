"""A simulated firm's exports: the survey platform's responses and the CRM's accounts.

A real firm can hand over two tables on any day: who was invited to the survey, by whom, when,
who answered and what; and each account's owner, value, renewals and discounts. This module
writes the same two tables from a simulated firm, and a third that no firm has, the truth: per
rep, the share of its answers that a tactic touched and how often it used each tactic. The
fingerprints (:mod:`npssim.diagnose.fingerprints`) are measured against that truth before they
are pointed at a real firm.

Recording never changes a draw: the exporting model is a subclass whose survey, pricing and
roster components extend the model's own and only read what passes through their public
methods (:meth:`SurveyWave.observe`, :meth:`Pricing.renew`, :meth:`RepRoster.record_uses`,
:meth:`RepRoster.hire`). The recorded events are kept as NumPy chunks and turned into
DataFrames once, at the end.

A rep's id is its desk and how many times the desk changed hands (``R007``, then ``R007.1``
for the first replacement): a CRM names the person, and a new hire inherits the book but not
the habits.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from npssim.diagnose.reading import ACCOUNT_COLUMNS, RESPONSE_COLUMNS
from npssim.files import FolderLock, atomic_path
from npssim.model import NPSModel
from npssim.policy import TACTICS, WEEKS_PER_YEAR
from npssim.scenario import Scenario, load_scenario, with_overrides

#: Who sent an invitation, by the policy's sampler: the rep, the firm's own random draw, or an
#: independent survey firm.
INVITED_BY: dict[str, str] = {"rep": "rep", "random": "firm", "third_party": "third_party"}


@dataclass(frozen=True)
class Exports:
    """A firm's two exports, and for a simulated firm the truth behind them.

    Attributes:
        responses: One row per invitation (:data:`RESPONSE_COLUMNS`).
        accounts: One row per account and renewal in the window, or one row for an account
            with none (:data:`ACCOUNT_COLUMNS`).
        truth: Per rep: ``rep_id``, ``gaming_share``, ``answers``, ``touched`` and one
            ``use_<tactic>`` column per tactic; None for a real firm.
        scenario: The scenario simulated, or None.
        seed: Its root seed, or None.
        overstatement: The simulated firm's true overstatement in NPS points over the last
            year of the window (mean of the model's ``nps_inflation``, reported minus true
            NPS), or None.
    """

    responses: pd.DataFrame
    accounts: pd.DataFrame
    truth: pd.DataFrame | None = None
    scenario: Scenario | None = None
    seed: int | None = None
    overstatement: float | None = None


def rep_ids(slots: np.ndarray, generations: np.ndarray) -> np.ndarray:
    """The CRM's name of each rep: its desk, and which holder of the desk (``R007.1``)."""
    slots = np.asarray(slots, dtype=np.int64)
    generations = np.asarray(generations, dtype=np.int64)
    base = np.char.add("R", np.char.zfill(slots.astype(str), 3))
    later = np.char.add(base, np.char.add(".", generations.astype(str)))
    return np.where(generations > 0, later, base).astype(object)


def account_ids(rows: np.ndarray) -> np.ndarray:
    """The CRM's name of each account: its row in the book (rows are never reused)."""
    return np.char.add("A", np.char.zfill(np.asarray(rows).astype(str), 6)).astype(object)


def recording_model(model: type[NPSModel] = NPSModel) -> type[NPSModel]:
    """A subclass of ``model`` whose survey, pricing and roster also record the exports.

    Each component class is a subclass of the model's own, so a researcher's component
    behaves as before and is recorded as well.
    """
    roster_base, survey_base = model.roster_class, model.survey_class
    pricing_base = model.pricing_class

    class RecordingRoster(roster_base):  # type: ignore[misc, valid-type]
        """The roster, counting every use of every tactic by the person who made it."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.generation = np.zeros(self.count, dtype=np.int64)
            self.founded = False
            self.use_log: list[tuple[int, np.ndarray, np.ndarray]] = []

        def hire(self, draws: Any, slots: np.ndarray, *args: Any, **kwargs: Any) -> None:
            if self.founded:
                self.generation[slots] += 1
            self.founded = True
            super().hire(draws, slots, *args, **kwargs)

        def record_uses(self, tactic: int, reps: Any, params: Any) -> None:
            slots = np.atleast_1d(np.asarray(reps, dtype=np.int64)).copy()
            if slots.size:
                self.use_log.append((tactic, slots, self.generation[slots].copy()))
            super().record_uses(tactic, reps, params)

    class RecordingSurveyWave(survey_base):  # type: ignore[misc, valid-type]
        """The survey wave, keeping every invitation, answer and the tactics that touched it."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.log: list[dict[str, np.ndarray]] = []
            self.swapped_in: np.ndarray | None = None

        def invite(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
            invited, perceived, cherry_picked, unpicked = super().invite(active)
            # Accounts asked only because cherry-picking kept others out: the sample is gamed.
            self.swapped_in = ~np.isin(invited, unpicked) if cherry_picked else None
            return invited, perceived, cherry_picked, unpicked

        def observe(
            self,
            invited: np.ndarray,
            responds: np.ndarray,
            scores: np.ndarray,
            touched: dict[int, np.ndarray],
        ) -> None:
            super().observe(invited, responds, scores, touched)
            model = self.model
            any_touch = np.zeros(invited.size, dtype=bool)
            for mask in touched.values():
                any_touch |= np.asarray(mask, dtype=bool)
            if self.swapped_in is not None and self.swapped_in.size == invited.size:
                any_touch |= self.swapped_in
            slots = model.book.rep[invited]
            self.log.append(
                {
                    "row": invited.copy(),
                    "slot": slots.copy(),
                    "generation": model.roster.generation[slots].copy(),
                    "week": np.full(invited.size, model.week),
                    "by": np.full(invited.size, INVITED_BY[model.policy.survey.sampler]),
                    "answered": responds.copy(),
                    "score": np.where(responds, scores, np.nan),
                    "touched": any_touch & responds,
                }
            )

    class RecordingPricing(pricing_base):  # type: ignore[misc, valid-type]
        """Pricing, keeping every renewal: who owned it, its price and whether it renewed."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.log: list[dict[str, np.ndarray]] = []

        def renew(self, week: int) -> None:
            book = self.model.book
            due = book.due(week, WEEKS_PER_YEAR)
            rows = due[book.active[due]]
            slots = book.rep[rows].copy()
            super().renew(week)
            if rows.size:
                self.log.append(
                    {
                        "row": rows,
                        "slot": slots,
                        "generation": self.model.roster.generation[slots].copy(),
                        "week": np.full(rows.size, week),
                        "renewed": book.active[rows].astype(float),
                        "discount": book.discount[rows].copy(),
                    }
                )

    return type(
        f"Exporting{model.__name__}",
        (model,),
        {
            "roster_class": RecordingRoster,
            "survey_class": RecordingSurveyWave,
            "pricing_class": RecordingPricing,
            "__doc__": f"{model.__name__}, recording its survey and CRM exports.",
        },
    )


def simulate_exports(
    scenario: Scenario | str | Path,
    *,
    seed: int | None = None,
    model: type[NPSModel] = NPSModel,
    weeks: int | None = None,
) -> Exports:
    """Simulate a firm and return the exports it would hand over, with the truth behind them.

    Args:
        scenario: A :class:`Scenario`, a scenario file or a bundled name.
        seed: Root seed (the scenario's ``run.seed`` by default).
        model: The model class (a subclass of :class:`NPSModel` is recorded the same way).
        weeks: Weeks to simulate (the scenario's ``run.weeks`` by default); week 0 of the
            exports is the first simulated week.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, schema=model.scenario_schema)
    if weeks is not None:
        scenario = with_overrides(scenario, {"run.weeks": weeks}, source="weeks")
    exporting = recording_model(model)
    sim = exporting(scenario, seed=seed)
    frame = sim.run()
    last_year = frame["nps_inflation"].iloc[-WEEKS_PER_YEAR:]
    overstatement = float(last_year.mean()) if last_year.notna().any() else None
    try:
        return Exports(
            responses=_responses(sim.survey.log),
            accounts=_accounts(sim),
            truth=_truth(sim),
            scenario=sim.params,
            seed=sim.seed,
            overstatement=overstatement,
        )
    finally:
        sim.close()


def _responses(log: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    if not log:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in RESPONSE_COLUMNS})
    joined = {name: np.concatenate([chunk[name] for chunk in log]) for name in log[0]}
    return pd.DataFrame(
        {
            "response_id": np.char.add("S", np.arange(joined["row"].size).astype(str)).astype(
                object
            ),
            "account_id": account_ids(joined["row"]),
            "rep_id": rep_ids(joined["slot"], joined["generation"]),
            "week": joined["week"].astype(np.int64),
            "invited_by": joined["by"].astype(object),
            "answered": joined["answered"].astype(bool),
            "score": joined["score"].astype(float),
        }
    )


def _accounts(sim: NPSModel) -> pd.DataFrame:
    """Renewals in the window, then one row for each account with none."""
    log, book = sim.pricing.log, sim.book
    frames = []
    renewed_rows = np.zeros(book.size, dtype=bool)
    if log:
        joined = {name: np.concatenate([chunk[name] for chunk in log]) for name in log[0]}
        renewed_rows[joined["row"]] = True
        frames.append(
            pd.DataFrame(
                {
                    "account_id": account_ids(joined["row"]),
                    "rep_id": rep_ids(joined["slot"], joined["generation"]),
                    "annual_value": book.acv[joined["row"]].astype(float),
                    "renewal_week": joined["week"].astype(float),
                    "renewed": joined["renewed"],
                    "discount": joined["discount"],
                }
            )
        )
    rest = np.flatnonzero(~renewed_rows[: book.size] & book.active[: book.size])
    slots = book.rep[rest]
    frames.append(
        pd.DataFrame(
            {
                "account_id": account_ids(rest),
                "rep_id": rep_ids(slots, sim.roster.generation[slots]),
                "annual_value": book.acv[rest].astype(float),
                "renewal_week": np.full(rest.size, np.nan),
                "renewed": np.full(rest.size, np.nan),
                "discount": book.discount[rest].astype(float),
            }
        )
    )
    accounts = pd.concat(frames, ignore_index=True)
    return accounts.sort_values(["account_id", "renewal_week"], kind="stable").reset_index(
        drop=True
    )


def _truth(sim: NPSModel) -> pd.DataFrame:
    """Per rep: answers, answers a tactic touched, their share, and each tactic's uses."""
    log = sim.survey.log
    people: dict[str, Any] = {}
    if log:
        slot = np.concatenate([chunk["slot"] for chunk in log])
        generation = np.concatenate([chunk["generation"] for chunk in log])
        answered = np.concatenate([chunk["answered"] for chunk in log])
        touched = np.concatenate([chunk["touched"] for chunk in log])
        frame = pd.DataFrame(
            {"rep_id": rep_ids(slot, generation), "answers": answered, "touched": touched}
        )
        people = frame.groupby("rep_id").sum().to_dict("index")
    uses: dict[tuple[str, str], int] = {}
    for tactic, slots, generations in sim.roster.use_log:
        ids, counts = np.unique(rep_ids(slots, generations).astype(str), return_counts=True)
        for rep, count in zip(ids, counts, strict=True):
            uses[(rep, TACTICS[tactic])] = uses.get((rep, TACTICS[tactic]), 0) + int(count)
    everyone = sorted(set(people) | {rep for rep, _ in uses})
    rows = []
    for rep in everyone:
        answers = int(people.get(rep, {}).get("answers", 0))
        touched_count = int(people.get(rep, {}).get("touched", 0))
        rows.append(
            {
                "rep_id": rep,
                "gaming_share": touched_count / answers if answers else np.nan,
                "answers": answers,
                "touched": touched_count,
                **{f"use_{name}": uses.get((rep, name), 0) for name in TACTICS},
            }
        )
    columns = ["rep_id", "gaming_share", "answers", "touched", *(f"use_{n}" for n in TACTICS)]
    return pd.DataFrame(rows, columns=columns)


def write_exports(exports: Exports, folder: Path, *, parquet: bool | None = None) -> list[Path]:
    """Write ``responses.csv``, ``accounts.csv`` and ``truth.csv`` (if known) into ``folder``.

    Each file is written under a temporary name and renamed, inside the folder's lock, as
    every npssim output is (:mod:`npssim.files`).

    Args:
        exports: The tables.
        folder: The output folder (created if missing).
        parquet: Also write ``.parquet`` copies: by default when pyarrow is installed; True
            without pyarrow raises ImportError.
    """
    folder = Path(folder)
    if parquet is None:
        parquet = importlib.util.find_spec("pyarrow") is not None
    tables = {"responses": exports.responses, "accounts": exports.accounts}
    if exports.truth is not None:
        tables["truth"] = exports.truth
    written: list[Path] = []
    with FolderLock(folder):
        for name, frame in tables.items():
            path = folder / f"{name}.csv"
            with atomic_path(path) as temporary:
                frame.to_csv(temporary, index=False)
            written.append(path)
            if parquet:
                path = folder / f"{name}.parquet"
                with atomic_path(path) as temporary:
                    frame.to_parquet(temporary, index=False)
                written.append(path)
    return written


__all__ = [
    "ACCOUNT_COLUMNS",
    "INVITED_BY",
    "RESPONSE_COLUMNS",
    "Exports",
    "recording_model",
    "simulate_exports",
    "write_exports",
]
