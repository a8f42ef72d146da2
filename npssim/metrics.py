"""The metric registry: every number a run produces, declared once.

Each column of a run's weekly data, of an experiment's ledger, timeseries and summary, is a
:class:`Metric` here, with its unit, whether it is a running total, which side of the story it is
on (what the NPS dashboard shows, a good, a bad, or context), which direction is better, a plain
label for leaders and a one-line meaning. The names are a public contract: CLI tables, CSV
columns, notebooks and users' scripts depend on them.

Everything that shows metrics reads them from here: the ledger closes each week into
:data:`METRIC_NAMES`, the model's ``DataCollector`` and Mesa's ``batch_run`` report them, tables
and figures take their labels and units, verdicts take the better direction, and the named views
at the bottom (:data:`HEADLINE`, :data:`MONEY_GIVEN_AWAY`, ...) are the only lists of metrics
that figures, the dashboard and the reports draw.

A model class owns the metrics its runs produce: :class:`MetricSet` is the registry's metrics
followed by those a subclass of :class:`~npssim.model.NPSModel` declares in ``extra_metrics``
(each with ``compute``, how it is read from the model), and ``NPSModel.metric_set`` gives it.
Runs, experiments, CSV files, tables and the CLI read the model class's set, so a researcher's
outcome is declared once and shows everywhere; NPSModel's set is :data:`REGISTRY`, exactly the
module's constants.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from npssim.errors import InputError
from npssim.tactics import TACTIC_TABLE

if TYPE_CHECKING:
    import pandas as pd

Side = Literal["shown", "good", "bad", "context"]

#: Who counts as a *powerful* customer where a metric asks (``concessions_to_powerful``): the
#: share of the active book with the most power over its rep. A reporting definition, not a
#: behaviour: nothing in the model depends on it.
POWERFUL_SHARE = 0.25

#: What each side is called where metrics are grouped, in the order they are shown.
SIDE_TITLES: dict[Side, str] = {
    "shown": "What the NPS dashboard shows",
    "good": "Goods",
    "bad": "Bads",
    "context": "Context",
}


@dataclass(frozen=True)
class Metric:
    """One named metric.

    Attributes:
        name: The public column name.
        label: What a leader calls it: a few plain words, shown in tables and figures.
        meaning: One line on what it measures, and how.
        unit: Unit of measure ("currency", "share", "NPS points", "accounts", ...).
        side: "shown" (what the NPS dashboard shows), "good", "bad", or "context" (neither:
            it helps read the others).
        better: Which direction is better for the firm, if any.
        cumulative: A running total since week 0 (money, counts), as opposed to a level (a
            score, a share, a mean). Over a window of weeks a running total is read as the
            amount accrued in the window and a level as its mean.
        integer: A count: whole numbers week by week, and over a window when it is a running
            total.
        compute: How a model class's own metric is read from the model at the end of each
            week: a function of the model, or the name of a model method (called) or attribute.
            None for the registry's metrics, which the ledger closes. A running total
            (``cumulative=True``) must be computed as the total since week 0.
    """

    name: str
    label: str
    meaning: str
    unit: str
    side: Side
    better: Literal["higher", "lower"] | None
    cumulative: bool = False
    integer: bool = False
    compute: Callable[[Any], float] | str | None = field(default=None, compare=False, repr=False)

    def read(self, model: Any) -> float:
        """This week's value of a model class's own metric, read from the model.

        Raises:
            TypeError: The metric has no ``compute`` (the registry's metrics come from the
                ledger).
        """
        compute = self.compute
        if compute is None:
            raise TypeError(f"metric {self.name!r} has no compute: the ledger closes it")
        if isinstance(compute, str):
            value = getattr(model, compute)
            value = value() if callable(value) else value
        else:
            value = compute(model)
        return int(value) if self.integer else float(value)


def _money(name: str, label: str, meaning: str, side: Side = "bad") -> Metric:
    """A running total of money: lower is better for a cost, higher for an income."""
    better: Literal["higher", "lower"] | None = {"bad": "lower", "good": "higher"}.get(side)
    return Metric(name, label, meaning, "currency", side, better, cumulative=True)


def _count(name: str, label: str, meaning: str, side: Side = "bad") -> Metric:
    """A running count of accounts: lower is better for a loss, higher for a gain."""
    better: Literal["higher", "lower"] | None = {"bad": "lower", "good": "higher"}.get(side)
    return Metric(name, label, meaning, "accounts", side, better, cumulative=True, integer=True)


METRICS: tuple[Metric, ...] = (
    Metric(
        "reported_nps",
        "NPS the survey reports",
        "NPS of the responses the firm collected in the latest wave",
        "NPS points",
        "shown",
        None,
    ),
    Metric(
        "true_nps",
        "Customers' real NPS",
        "NPS of an honest census of all active accounts' latent satisfaction",
        "NPS points",
        "good",
        "higher",
    ),
    Metric(
        "nps_inflation",
        "How far the survey overstates NPS",
        "reported_nps - true_nps",
        "NPS points",
        "bad",
        "lower",
    ),
    Metric(
        "response_rate",
        "Survey response rate",
        "Responses / surveys sent in the latest wave",
        "share",
        "shown",
        None,
    ),
    Metric(
        "share_cherry_picked",
        "Customers kept out of the survey",
        "Share of eligible accounts kept out of the latest sample by rep selection",
        "share",
        "bad",
        "lower",
    ),
    Metric(
        "share_coached",
        "Answers pleaded for",
        "Share of the latest wave's responses pleaded for",
        "share",
        "bad",
        "lower",
    ),
    Metric(
        "share_bribed",
        "Answers bought with gifts",
        "Share of the latest wave's responses bought with a gift",
        "share",
        "bad",
        "lower",
    ),
    Metric(
        "share_hostage",
        "Answers held hostage",
        "Share of the latest wave's responses held hostage for a concession",
        "share",
        "bad",
        "lower",
    ),
    _money(
        "concession_cost",
        "Concessions to hostage-takers",
        "Concessions granted to hostage-takers before a survey, cumulative",
    ),
    _money(
        "concessions_to_powerful",
        "Concessions to the most powerful customers",
        "Concessions granted to accounts in the most powerful quarter of the active book "
        "(power over their rep) when they demanded, cumulative",
    ),
    _money(
        "giveaway_cost",
        "Free services given away",
        "Free services given away to play safe, cumulative",
    ),
    _money("bribe_cost", "Gifts for high scores", "Gifts given for high scores, cumulative"),
    _money(
        "discount_cost",
        "Revenue given up to discounts",
        "Revenue forgone to price discounts at renewals and new deals, cumulative",
    ),
    _money(
        "score_discount_cost",
        "Revenue given up to discounts traded for scores",
        "Revenue forgone to the parts of price discounts that reps traded for customers' "
        "scores (within discount_cost), cumulative",
    ),
    _money(
        "money_given_away",
        "Money given away",
        "Concessions, free services, gifts and price discounts together, cumulative. Context, "
        "not a bad: ordinary discounts buy renewals (their cost and what they keep are in "
        "net_value); the part traded for scores is the bads concession_cost, giveaway_cost, "
        "bribe_cost and score_discount_cost",
        side="context",
    ),
    Metric(
        "discount_rate",
        "Average price discount",
        "Mean price discount of active contracts, weighted by list value",
        "share",
        "bad",
        "lower",
    ),
    _money("revenue", "Revenue", "Contract revenue at the prices agreed, cumulative", "good"),
    _money(
        "gross_margin",
        "Gross margin",
        "Revenue x margin rate - concessions - giveaways - bribes, cumulative",
        "good",
    ),
    _money(
        "net_value",
        "The firm's net money",
        "Gross margin - reps' pay (salaries, pay on sales, NPS bonuses) - measurement cost - "
        "acquisition cost - rep turnover cost, cumulative: the firm's money",
        "good",
    ),
    Metric(
        "accounts_active",
        "Customers",
        "Customer accounts active now",
        "accounts",
        "good",
        "higher",
        integer=True,
    ),
    _count("churned_accounts", "Customers lost at renewal", "Accounts lost at renewal, cumulative"),
    Metric(
        "retention_rate",
        "Renewals kept",
        "Share of renewals due so far that renewed (over a window: of the window's renewals)",
        "share",
        "good",
        "higher",
    ),
    Metric(
        "genuine_effort",
        "Reps' hours on real service",
        "Mean share of reps' account hours spent on genuine service this week",
        "share",
        "good",
        "higher",
    ),
    Metric(
        "service_quality",
        "Quality of reps' service",
        "Mean quality of an hour of reps' service, relative to a settled, unstressed rep",
        "share",
        "good",
        "higher",
    ),
    _count(
        "followed_up",
        "Unhappy customers called back",
        "Detractors called back by their manager to fix the cause, cumulative",
        "good",
    ),
    Metric(
        "savvy_share",
        "Customers who hold their score hostage",
        "Share of active accounts that have learned to hold the score hostage",
        "share",
        "bad",
        "lower",
    ),
    Metric(
        "signal_validity",
        "How well the survey predicts renewals",
        "AUC of accounts' last reported score for predicting renewal (last 52 weeks); "
        "0.5 = no information",
        "AUC",
        "good",
        "higher",
    ),
    _money(
        "bonus_paid",
        "NPS bonus paid",
        "NPS bonus paid to reps and managers, cumulative",
        "shown",
    ),
    _money(
        "unearned_bonus",
        "Bonus paid for inflated scores",
        "Bonus paid above what honest answers from an unpicked sample would have earned, "
        "cumulative",
    ),
    _money(
        "bonus_cost",
        "What the bonus costs the firm",
        "What the NPS bonuses cost the firm, reps' and managers' (the reps' bonus is funded "
        "from variable pay: commission_paid is lower by the NPS weight), cumulative",
    ),
    _money(
        "salary_paid",
        "Reps' base salaries",
        "Reps' base salaries paid, cumulative",
        side="context",
    ),
    _money(
        "commission_paid",
        "Reps' pay on sales",
        "The sales component of reps' variable pay (commission or quota bonus) paid, cumulative",
        side="context",
    ),
    _money(
        "measurement_cost",
        "Surveys, audits and call-backs",
        "Survey vendor, audits and follow-up calls, cumulative",
    ),
    _money(
        "acquisition_cost",
        "Cost of winning customers",
        "Cost of winning new accounts, cumulative",
    ),
    _money(
        "turnover_cost",
        "Cost of replacing reps",
        "Cost of replacing reps who quit or were fired, cumulative",
    ),
    Metric("rep_stress", "Reps' stress", "Mean rep stress", "0-1", "bad", "lower"),
    Metric(
        "rep_turnover",
        "Reps who left, per position",
        "Reps who quit or were fired, cumulative, per rep position",
        "departures per position",
        "bad",
        "lower",
        cumulative=True,
    ),
    Metric(
        "honest_rep_share",
        "Honest reps",
        "Share of reps with integrity of at least 0.6",
        "share",
        "good",
        "higher",
    ),
    Metric(
        "gaming_propensity",
        "Reps' inclination to game",
        "Reps' mean chance of using a tactic where they have the chance, over every tactic: "
        "the culture their beliefs and pay make",
        "share",
        "bad",
        "lower",
    ),
    *(
        Metric(
            f"tactic_use_{tactic.name}",
            f"Reps' use of {tactic.name.replace('_', ' ')}",
            f"Reps' mean chance this week of using {tactic.name.replace('_', ' ')} where they "
            f"have the chance ({tactic.meaning[0].lower()}{tactic.meaning[1:].rstrip('.')})",
            "share",
            "context",
            None,
        )
        for tactic in TACTIC_TABLE
    ),
    _count("disrupted_accounts", "Customers whose rep left", "Accounts whose rep left, cumulative"),
    Metric(
        "latent_signal_validity",
        "How well real satisfaction predicts renewals",
        "AUC of the same accounts' latent satisfaction for renewal: the best a survey could do, "
        "to read beside signal_validity",
        "AUC",
        "context",
        None,
    ),
    _count(
        "renewals_due",
        "Renewals due",
        "Contracts that came up for renewal, cumulative (retention over a window reads it)",
        "context",
    ),
)
#: Every metric's name, in the registry's order: the columns of a run's weekly data.
METRIC_NAMES: tuple[str, ...] = tuple(metric.name for metric in METRICS)
METRIC_BY_NAME: dict[str, Metric] = {metric.name: metric for metric in METRICS}
#: The running totals, whose weekly flows :func:`as_flows` gives.
CUMULATIVE: tuple[str, ...] = tuple(metric.name for metric in METRICS if metric.cumulative)
#: The counts, whole numbers in every frame.
INTEGER: tuple[str, ...] = tuple(metric.name for metric in METRICS if metric.integer)


#: Names a model class's own metric may not take: the columns that tell runs and rows apart.
RESERVED_NAMES = frozenset({"scenario", "point", "replication", "seed", "week", "metric"})


class MetricSet:
    """The metrics one model class produces: the registry's, then the ones the class adds.

    Everything that reads a run's columns (the collector, the experiment's weekly arrays, the
    windows, CSV files, tables, the CLI's ``--metric`` checks) asks a model class's set rather
    than the module's constants, so a subclass of :class:`~npssim.model.NPSModel` that declares
    a metric in ``extra_metrics`` sees it everywhere. The registry's own set,
    :data:`REGISTRY`, gives exactly what the module's constants give.

    Args:
        added: The metrics a model class adds, each with ``compute``, in column order after
            the registry's.

    Raises:
        TypeError: An added metric has no ``compute``, a name that is not a plain identifier,
            a name the registry (or another added metric) already has, or a reserved name.

    Attributes:
        metrics: Every metric, the registry's first.
        added: The metrics the model class adds.
        names: Every metric's name, in column order.
        by_name: Every metric by name.
        cumulative: The running totals' names.
        integer: The counts' names.
    """

    def __init__(self, added: Sequence[Metric] = ()) -> None:
        taken = set(_REGISTRY_NAMES)
        for item in added:
            if not isinstance(item, Metric):
                raise TypeError(f"extra_metrics: expected Metric objects, got {item!r}")
            problem = (
                "has no compute (a function of the model, or a method's name)"
                if item.compute is None
                else "is not a plain name (letters, digits, underscores)"
                if not item.name.isidentifier()
                else "is a column that tells runs apart"
                if item.name in RESERVED_NAMES
                else "is already a metric"
                if item.name in taken
                else ""
            )
            if problem:
                raise TypeError(f"extra_metrics: metric {item.name!r} {problem}")
            if item.side not in SIDE_TITLES:
                raise TypeError(
                    f"extra_metrics: metric {item.name!r}: side must be one of "
                    f"{', '.join(SIDE_TITLES)}, got {item.side!r}"
                )
            taken.add(item.name)
        self.added: tuple[Metric, ...] = tuple(added)
        self.metrics: tuple[Metric, ...] = (*METRICS, *self.added)
        self.names: tuple[str, ...] = tuple(item.name for item in self.metrics)
        self.by_name: dict[str, Metric] = {item.name: item for item in self.metrics}
        self.cumulative: tuple[str, ...] = tuple(m.name for m in self.metrics if m.cumulative)
        self.integer: tuple[str, ...] = tuple(m.name for m in self.metrics if m.integer)

    def __repr__(self) -> str:
        return f"MetricSet(added={[item.name for item in self.added]})"

    def metric(self, name: str) -> Metric:
        """The metric of a name.

        Raises:
            KeyError: No metric has that name (the message lists the closest).
        """
        try:
            return self.by_name[name]
        except KeyError:
            close = difflib.get_close_matches(name, self.names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeyError(f"no metric named {name!r}{hint}") from None

    def label(self, name: str) -> str:
        """The plain label of a metric, or the name itself for anything else (a parameter)."""
        found = self.by_name.get(name)
        return found.label if found is not None else name

    def whole_over(self, name: str, window: str) -> bool:
        """Whether a metric read over a window is a whole number: a count at the end, or accrued.

        A count's running total accrued over weeks is a count; a level count averaged over
        weeks (active accounts over the long run) is not.
        """
        found = self.by_name.get(name)
        return found is not None and found.integer and (found.cumulative or window == "end")

    def close(self, model: Any, ledger: dict[str, float]) -> dict[str, float]:
        """A week's metrics: the ledger's, then each added metric read from the model.

        Args:
            model: The model at the end of the week.
            ledger: The ledger's metrics for the week (returned as it is when nothing is
                added, so the registry's runs are untouched).
        """
        if not self.added:
            return ledger
        return {**ledger, **{item.name: item.read(model) for item in self.added}}

    def as_flows(self, frame: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
        """Weekly data with each running total turned into the amount accrued that week.

        Levels (scores, shares) are left as they are. The first week of each run keeps its
        value, which is what accrued in it.

        Args:
            frame: One row per week (and per run), in week order within each run; any metric
                columns (others are left alone).
            by: The columns that tell runs apart (e.g. scenario and replication); none for
                one run.

        Returns:
            A copy, running totals differenced week on week within each run.
        """
        columns = [name for name in self.cumulative if name in frame.columns]
        flows = frame.copy()
        if not columns:
            return flows
        totals = frame[columns]
        if by:
            previous = totals.groupby([frame[key] for key in by], sort=False).shift(1)
        else:
            previous = totals.shift(1)
        flows[columns] = totals - previous.fillna(0)
        for name in columns:
            if self.by_name[name].integer:
                flows[name] = flows[name].astype("int64")
        return flows

    def check(self, names: Sequence[str], option: str = "--metric") -> None:
        """Refuse unknown metric names, suggesting the closest.

        Args:
            names: The metric names asked for (at least one).
            option: Where they were given, named in the message (``--metric``, ``--target``).

        Raises:
            InputError: None given, or a name is not one of these metrics.
        """
        if not names:
            raise InputError(f"{option}: give at least one metric")
        for name in names:
            if name not in self.by_name:
                close = difflib.get_close_matches(name, self.names, n=1)
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else f" (see: npssim metrics, or {', '.join(self.names[:5])}, ...)"
                )
                raise InputError(f"{option} {name}: unknown metric{hint}")


_REGISTRY_NAMES = frozenset(METRIC_NAMES)
#: The registry's metrics alone: what :class:`~npssim.model.NPSModel` produces.
REGISTRY = MetricSet()


def metric_set(added: Sequence[Metric] = ()) -> MetricSet:
    """The set of the registry's metrics and ``added``, made once per distinct declaration.

    Metrics compare without their ``compute``, so the cache tells two declarations apart by
    it too: two classes that declare the same metric computed differently get their own sets.
    """
    return (
        _metric_set(tuple((item, getattr(item, "compute", None)) for item in added))
        if added
        else REGISTRY
    )


@functools.cache
def _metric_set(declared: tuple[tuple[Metric, Any], ...]) -> MetricSet:
    return MetricSet([item for item, _ in declared])


class DeclaredMetrics:
    """A model class's :class:`MetricSet`, read from its ``extra_metrics`` (a descriptor).

    ``NPSModel.metric_set`` is one: on the class or on a model, it gives the registry's
    metrics and those the class declares in ``extra_metrics``, so a subclass declares a
    metric once and never overrides anything to have it collected.
    """

    def __get__(self, instance: object, owner: type) -> MetricSet:
        return metric_set(getattr(owner, "extra_metrics", ()))


def metric(name: str) -> Metric:
    """The metric of a name in the registry.

    Raises:
        KeyError: No metric has that name (the message lists the closest).
    """
    return REGISTRY.metric(name)


def whole_over(name: str, window: str) -> bool:
    """Whether a registry metric read over a window is a whole number (see :class:`MetricSet`)."""
    return REGISTRY.whole_over(name, window)


def label(name: str) -> str:
    """The plain label of a metric, or the name itself for anything else (a parameter)."""
    return REGISTRY.label(name)


def as_flows(frame: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Weekly data with each running total of the registry turned into its weekly amount.

    See :meth:`MetricSet.as_flows`; a model class's own running totals need its
    :attr:`~npssim.model.NPSModel.metric_set`.
    """
    return REGISTRY.as_flows(frame, by)


def _view(*names: str) -> tuple[str, ...]:
    for name in names:
        metric(name)  # every view names registered metrics only
    return names


#: The headline goods and bads: the comparison figure's panels.
HEADLINE = _view(
    "true_nps",
    "nps_inflation",
    "retention_rate",
    "genuine_effort",
    "signal_validity",
    "net_value",
    "concession_cost",
    "giveaway_cost",
    "rep_turnover",
)
#: What builds up while the reported score looks fine: the report's week-by-week figure.
OVER_TIME = _view(
    "nps_inflation", "true_nps", "savvy_share", "share_coached", "honest_rep_share", "rep_stress"
)
#: Money given away, by kind: the money panel of reports, notebooks and the dashboard.
MONEY_GIVEN_AWAY = _view("concession_cost", "giveaway_cost", "bribe_cost")
#: Money given away in every form the ledger books it, price discounts included.
ALL_GIVEN_AWAY = _view(*MONEY_GIVEN_AWAY, "discount_cost")
#: The part of the money given away that reps traded for scores (the rest is ordinary
#: discounts, which buy renewals).
TRADED_FOR_SCORES = _view(*MONEY_GIVEN_AWAY, "score_discount_cost")
#: The rep tactics the ledger sees in each survey wave.
TACTICS = _view("share_cherry_picked", "share_coached", "share_bribed", "share_hostage")
#: The reps' side of the story: stress, who is left, who has gone.
PEOPLE = _view("rep_stress", "honest_rep_share", "rep_turnover")
#: What a sweep tabulates and draws when no metric is named.
SWEEP_DEFAULT = _view("nps_inflation", "true_nps", "retention_rate", "net_value")
#: The dashboard's table of the goods beside the bads so far.
DASHBOARD = _view(
    "reported_nps",
    "true_nps",
    "nps_inflation",
    "retention_rate",
    "churned_accounts",
    *ALL_GIVEN_AWAY,
    "savvy_share",
    "honest_rep_share",
    "rep_turnover",
    "net_value",
)
#: How the bads accumulate while the score looks fine: the evidence page's figure.
ACCUMULATING = _view(
    "reported_nps",
    "true_nps",
    "savvy_share",
    "concession_cost",
    "honest_rep_share",
    "share_coached",
)
#: The decision summary's tiles: money, real and reported satisfaction, renewals, what was given
#: away, and who is left.
DECISION = _view(
    "net_value",
    "true_nps",
    "retention_rate",
    "reported_nps",
    "money_given_away",
    "honest_rep_share",
)
#: Who wins and who loses: each party's metrics and the direction that is better *for them*
#: (a concession is a cost to the firm and a gain to the customer who gets it).
STAKEHOLDERS: dict[str, tuple[tuple[str, Literal["higher", "lower"]], ...]] = {
    "The firm": (("gross_margin", "higher"), ("net_value", "higher")),
    "Reps": (
        ("bonus_paid", "higher"),
        ("commission_paid", "higher"),
        ("rep_stress", "lower"),
        ("rep_turnover", "lower"),
        ("honest_rep_share", "higher"),
    ),
    "Customers": (
        ("true_nps", "higher"),
        ("share_coached", "lower"),
        ("discount_cost", "higher"),
        ("giveaway_cost", "higher"),
        ("followed_up", "higher"),
    ),
    "Powerful customers": (
        ("concession_cost", "higher"),
        ("concessions_to_powerful", "higher"),
        ("share_hostage", "higher"),
        ("savvy_share", "higher"),
    ),
    "Managers": (("disrupted_accounts", "lower"), ("turnover_cost", "lower")),
}
for _party in STAKEHOLDERS.values():
    _view(*(name for name, _ in _party))


def check_metrics(names: Sequence[str], option: str = "--metric") -> None:
    """Refuse names that are not metrics of the registry (see :meth:`MetricSet.check`).

    Raises:
        InputError: None given, or a name is not a metric of :data:`METRICS`.
    """
    REGISTRY.check(names, option)
