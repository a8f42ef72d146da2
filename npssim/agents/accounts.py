"""Customer accounts: B2B customers whose latent satisfaction no survey sees directly.

The accounts' hot state lives in :class:`AccountBook`, one NumPy row per account ever created,
updated in bulk each week; every change to an account goes through one of the book's methods, so
a researcher can change how accounts respond by subclassing the book (``NPSModel.book_class``).
:class:`Account` is the Mesa agent: a thin object over its row that carries the rare, rich
decisions (demanding a concession, learning whether that pays).
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from npssim.agents.quantiles import beta_ppf, gamma_ppf
from npssim.scenario.schema import AccountParams, FirmParams

#: A savvy account is one that has learned to hold its score hostage.
SAVVY_LINE = 0.5

_FIELDS: dict[str, type] = {
    "active": bool,
    "rep": np.int32,
    "acv": np.float64,
    "baseline": np.float64,
    "satisfaction": np.float64,
    "candor": np.float64,
    "outside": np.float64,
    "power": np.float64,
    "savvy": np.float64,
    "discount": np.float64,
    "score_discount": np.float64,
    "promise": np.float64,
    "renewal_offset": np.int16,
    "created_week": np.int32,
    "last_score": np.float64,
    "last_score_week": np.int32,
    "disrupted_week": np.int32,
}

#: A week long before any run starts: "never" for the week-stamped fields.
NEVER = -10_000


def beta_with_mean(
    rng: np.random.Generator, mean: float, concentration: float, size: int
) -> np.ndarray:
    """Draw from a Beta distribution given its mean and concentration (a + b).

    Draws by inverting the CDF of one uniform per value, so the number of random numbers used
    never depends on the parameters: changing one trait's mean leaves every other draw as it was
    (common random numbers). A mean of exactly 0 or 1 gives that constant, so a trait can be
    switched off.
    """
    return beta_quantile(mean, concentration, rng.random(size))


def beta_quantile(
    mean: float, concentration: float, uniform: np.ndarray, tabled: bool | None = None
) -> np.ndarray:
    """The Beta quantiles of given uniforms: the inverse-CDF half of :func:`beta_with_mean`.

    Kept apart so that a caller can draw the uniforms, thin them, and pay for the (costly)
    inverse CDF only on what it keeps. Large draws interpolate a table of the quantile function
    (:mod:`npssim.agents.quantiles`), within 1e-12 of SciPy's exact inverse; ``tabled``
    chooses as :func:`~npssim.agents.quantiles.beta_ppf` does.
    """
    if mean <= 0.0 or mean >= 1.0:
        return np.full(uniform.size, float(np.clip(mean, 0.0, 1.0)))
    return beta_ppf(concentration * mean, concentration * (1.0 - mean), uniform, tabled)


def gamma_with_mean(
    rng: np.random.Generator, shape: float, mean: float, size: int, tabled: bool | None = None
) -> np.ndarray:
    """Draw from a Gamma distribution of given shape and mean, one uniform per value.

    ``tabled`` chooses as :func:`~npssim.agents.quantiles.gamma_ppf` does.
    """
    return gamma_ppf(shape, rng.random(size), tabled) * (mean / shape)


class AccountBook:
    """Every account's state as NumPy arrays, one row per account ever created.

    Rows are never reused: a churned account stays as an inactive row, so row numbers are stable
    identities and the number of rows (hence the random draws per week) does not depend on the
    policy. Arrays grow by doubling; the public attributes are views of the used rows.

    Attributes:
        active: The account is a customer now.
        rep: Slot of the rep who owns the account.
        acv: Annual contract value (currency per year).
        baseline: Satisfaction the account relaxes toward, set by product quality (0-10).
        satisfaction: Latent satisfaction, the truth no survey sees (0-10).
        candor: How little pleas and bribes move the answer (0-1).
        outside: Strength of the account's alternatives to the firm (0-1).
        power: Leverage over the rep, from share of the book and outside options (0-1).
        savvy: Learned propensity to hold the score hostage (0-1).
        discount: Price discount of the current contract, as a share of its list value.
        score_discount: The part of ``discount`` the rep traded for the account's score.
        promise: Answer points the account owes its rep's score for a concession, paid into
            its next answer (0 when it owes nothing or will not keep its word).
        renewal_offset: Week of the year on which the contract renews.
        created_week: Week the account was won (-1 for the starting book).
        last_score: The account's last reported answer (NaN if none).
        last_score_week: Week of that answer.
        disrupted_week: Week the account's rep last left (``NEVER`` if not since it was won).
    """

    active: np.ndarray
    rep: np.ndarray
    acv: np.ndarray
    baseline: np.ndarray
    satisfaction: np.ndarray
    candor: np.ndarray
    outside: np.ndarray
    power: np.ndarray
    savvy: np.ndarray
    discount: np.ndarray
    score_discount: np.ndarray
    promise: np.ndarray
    renewal_offset: np.ndarray
    created_week: np.ndarray
    last_score: np.ndarray
    last_score_week: np.ndarray
    disrupted_week: np.ndarray

    def __init__(self, capacity: int) -> None:
        self.size = 0
        self._buffers = {name: np.zeros(max(capacity, 1), dtype) for name, dtype in _FIELDS.items()}
        self._by_renewal_week: dict[int, list[np.ndarray]] = {}
        self._refresh_views()

    def __len__(self) -> int:
        return self.size

    def add(self, count: int, **columns: np.ndarray) -> np.ndarray:
        """Append ``count`` accounts and return their row numbers.

        Args:
            count: Number of new accounts.
            **columns: Values for the new rows, by field name; others start at zero.

        Returns:
            The new rows.
        """
        start, stop = self.size, self.size + count
        capacity = len(self._buffers["active"])
        if stop > capacity:
            new_capacity = max(stop, 2 * capacity)
            for name, buffer in self._buffers.items():
                grown = np.zeros(new_capacity, buffer.dtype)
                grown[:start] = buffer[:start]
                self._buffers[name] = grown
        for name, values in columns.items():
            self._buffers[name][start:stop] = values
        self.size = stop
        self._refresh_views()
        rows = np.arange(start, stop)
        self._file_by_renewal_week(rows)
        return rows

    def _file_by_renewal_week(self, rows: np.ndarray) -> None:
        """Keep new rows under their renewal week, so a week's renewals are found without a scan."""
        offsets = self.renewal_offset[rows]
        if offsets.size and offsets.min() == offsets.max():  # a week's acquisitions: one week
            self._by_renewal_week.setdefault(int(offsets[0]), []).append(rows.copy())
            return
        order = np.argsort(offsets, kind="stable")
        weeks, firsts = np.unique(offsets[order], return_index=True)
        for week, chunk in zip(weeks, np.split(rows[order], firsts[1:]), strict=True):
            self._by_renewal_week.setdefault(int(week), []).append(chunk)

    def due(self, week: int, weeks_per_year: int) -> np.ndarray:
        """Rows whose contract comes up for renewal in ``week`` (active or not), in row order.

        An account won this week does not renew this week. Inactive rows are included so that
        the number of renewal draws depends only on the rows, not on the policy.
        """
        chunks = self._by_renewal_week.get(week % weeks_per_year)
        if not chunks:
            return np.empty(0, dtype=np.int64)
        rows = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
        return rows[self.created_week[rows] < week]

    def active_rows(self) -> np.ndarray:
        """Rows of the current customers."""
        return np.flatnonzero(self.active)

    def serve(self, gain: np.ndarray) -> None:
        """Raise every account's satisfaction by its service gain, less as it nears 10.

        Args:
            gain: Each row's gain this week (points at satisfaction 0).
        """
        sat = self.satisfaction
        sat += gain * (10.0 - sat) / 10.0

    def drift(self, rng: np.random.Generator, firm: FirmParams) -> None:
        """Relax satisfaction toward its baseline and strike random incidents, in bulk.

        Incidents are drawn as a count and then placed on rows, so the number of draws depends
        only on the number of rows, not on the policy (common random numbers).
        """
        sat = self.satisfaction
        sat += firm.relaxation_rate * (self.baseline - sat)
        hits = rng.integers(0, self.size, rng.binomial(self.size, firm.incident_rate))
        np.subtract.at(sat, hits, firm.incident_severity)
        np.clip(sat, 0.0, 10.0, out=sat)

    def lift(self, rows: np.ndarray, points: float | np.ndarray) -> None:
        """Raise the latent satisfaction of ``rows`` (a free service, a follow-up call)."""
        self.satisfaction[rows] = np.minimum(10.0, self.satisfaction[rows] + points)

    def sour(self, rows: np.ndarray, points: float | np.ndarray) -> None:
        """Lower the latent satisfaction of ``rows`` (a resented plea, a refusal, a lost rep)."""
        self.satisfaction[rows] = np.maximum(0.0, self.satisfaction[rows] - points)

    def fix(self, rows: np.ndarray, points: float) -> None:
        """Raise the baseline ``rows`` relax toward: the cause of a complaint was fixed."""
        self.baseline[rows] = np.minimum(10.0, self.baseline[rows] + points)

    def record_answers(self, rows: np.ndarray, scores: np.ndarray, week: int) -> None:
        """Keep each respondent's answer, to read beside its renewal."""
        self.last_score[rows] = scores
        self.last_score_week[rows] = week

    def forget_savvy(self, rate: float) -> None:
        """Savvy fades a little every week; only demands that pay off renew it."""
        self.savvy *= 1.0 - rate

    def learn_from_demands(
        self, rows: np.ndarray, granted: np.ndarray, reinforcement: float, fade: float
    ) -> None:
        """Hostage-taking that paid off is reinforced; a refusal teaches caution.

        A demand met in part teaches in proportion: the share granted reinforces, the share
        refused fades.

        Args:
            rows: Accounts that made a demand (each row at most once).
            granted: How much of each demand was granted, 0-1 (or whether it was).
            reinforcement: Share of the gap to full savvy gained when a demand pays off.
            fade: Share of savvy lost when a demand is refused.
        """
        savvy = self.savvy[rows]
        met = np.asarray(granted, dtype=float)
        self.savvy[rows] = savvy + met * (1.0 - savvy) * reinforcement - (1.0 - met) * savvy * fade

    def teach_savvy(self, rows: np.ndarray, taught: np.ndarray) -> None:
        """Accounts that learned the trick from a peer know it from now on, at least ``taught``."""
        self.savvy[rows] = np.maximum(self.savvy[rows], taught)

    def ask_discount(
        self, rows: np.ndarray, params: AccountParams, exposure: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """What each account asks off the list price at a renewal or a new deal.

        Every account negotiates in proportion to its power. On top, it can ask for a price in
        exchange for its score, in proportion to its power, how much its next answer counts
        (``exposure``) and, for savvy accounts, how well it times the demand.

        Args:
            rows: The accounts being priced.
            params: The ``[accounts]`` parameters.
            exposure: How much an account's next answer counts for its rep (0-1).

        Returns:
            The ordinary discount, and the most an account could win for its score (both shares
            of the list price).
        """
        power = self.power[rows]
        ordinary = params.power_discount * power
        leverage = 1.0 + params.savvy_leverage * self.savvy[rows]
        for_score = params.score_discount * power * leverage * exposure
        return ordinary, for_score

    def reprice(
        self, rows: np.ndarray, discount: np.ndarray, for_score: np.ndarray | float = 0.0
    ) -> None:
        """Set the discount of the contracts signed or renewed at ``rows`` for the next year.

        Args:
            rows: The contracts.
            discount: Each contract's whole discount (share of list price).
            for_score: The part of it the rep traded for the account's score.
        """
        self.discount[rows] = discount
        self.score_discount[rows] = for_score

    def promise_score(self, rows: np.ndarray, points: np.ndarray) -> None:
        """``rows`` owe their rep's score ``points`` in their next answer (a bought promise)."""
        self.promise[rows] = points

    def redeem_promises(self, rows: np.ndarray) -> None:
        """``rows`` answered: the points they owed went into their answers, and they owe none."""
        self.promise[rows] = 0.0

    def score_discounts(self, rows: np.ndarray) -> float:
        """Yearly revenue the parts of ``rows``' discounts traded for scores forgo."""
        return float((self.acv[rows] * self.score_discount[rows]).sum())

    def churn(self, rows: np.ndarray) -> None:
        """The accounts at ``rows`` leave: they are no longer customers."""
        self.active[rows] = False

    def disrupt(self, rows: np.ndarray, week: int, loss: float) -> None:
        """The rep of ``rows`` left: the relationship is lost and renewal is at risk for a while."""
        self.sour(rows, loss)
        self.disrupted_week[rows] = week

    def revenue(self, rows: np.ndarray) -> tuple[float, float]:
        """Yearly revenue of ``rows`` at their prices, and what their discounts forgo."""
        acv, discount = self.acv[rows], self.discount[rows]
        forgone = float((acv * discount).sum())  # not np.dot: see RepRoster.decide
        return float(acv.sum()) - forgone, forgone

    def _refresh_views(self) -> None:
        for name, buffer in self._buffers.items():
            setattr(self, name, buffer[: self.size])


def draw_accounts(
    rng: np.random.Generator,
    count: int,
    params: AccountParams,
    firm: FirmParams,
    reps: np.ndarray,
    keep: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Draw the traits of ``count`` new accounts.

    Contract values are lognormal (a few accounts carry much of the revenue); baseline
    satisfaction is 10 minus a gamma-distributed gap, so honest scores are left-skewed. Power
    depends on the rep's book, so the caller sets it with :func:`account_power`.

    Args:
        rng: The stream these accounts are drawn from.
        count: Number of accounts.
        params: The ``[accounts]`` parameters.
        firm: The ``[firm]`` parameters (product quality).
        reps: The rep slot each new account is assigned to.
        keep: Optionally thins the draw: called with the baselines and reps once every random
            number is drawn, it returns the indices to keep. Only those pay for the Beta
            quantiles, which is most of the cost of a large draw; the values are the same as
            drawing everything and indexing afterwards.

    Returns:
        Columns for :meth:`AccountBook.add`.
    """
    acv = params.acv_median * np.exp(params.acv_sigma * rng.standard_normal(count))
    gap_mean = 10.0 - firm.product_quality
    # Accounts are drawn every week, a few dozen at a time, from the same distributions: their
    # quantile tables are made once (at set-up for a large firm) and serve every week.
    gap = gamma_with_mean(rng, params.satisfaction_skew, gap_mean, count, tabled=True)
    baseline = np.clip(10.0 - gap, 0.0, 10.0)
    candor = rng.random(count)
    outside = rng.random(count)
    savvy = np.where(
        rng.random(count) < params.initial_savvy_share,
        rng.uniform(SAVVY_LINE, 1.0, count),
        0.0,
    )
    offsets = rng.integers(0, 52, count)
    if keep is not None:
        kept = keep(baseline, reps)
        reps, acv, baseline, candor, outside, savvy, offsets = (
            column[kept] for column in (reps, acv, baseline, candor, outside, savvy, offsets)
        )
        count = kept.size
    return {
        "active": np.ones(count, bool),
        "rep": reps,
        "acv": acv,
        "baseline": baseline,
        "satisfaction": baseline.copy(),
        "candor": beta_quantile(
            params.candor_mean, params.trait_concentration, candor, tabled=True
        ),
        "outside": beta_quantile(
            params.outside_options_mean, params.trait_concentration, outside, tabled=True
        ),
        "savvy": savvy,
        "renewal_offset": offsets,
        "last_score": np.full(count, np.nan),
        "last_score_week": np.full(count, NEVER),
        "disrupted_week": np.full(count, NEVER),
    }


def choose_weighted(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """``rng.choice(p.size, size, replace=False, p=p)``, draw for draw, several times faster.

    NumPy draws a uniform per missing index, looks each up in the cumulative weights, keeps the
    first of any repeats, zeroes what it found and goes again until it has ``size``. The same
    steps here, with the same random numbers and the same arithmetic, give the same sample; two
    of them are done faster: the uniforms are looked up in sorted order (random lookups in a
    table of millions miss the CPU caches: 0.5 s against 0.1 s for a million), and repeats are
    found with ``np.minimum.at`` instead of a sort. At a million accounts (three million
    candidates) the steady book's draw fell from 1.3 s to a fraction of that;
    ``tests/agents/test_accounts.py`` checks it against ``rng.choice``.

    Args:
        rng: The stream to draw from.
        p: Probabilities, summing to 1.
        size: How many distinct indices to draw (no more than the non-zero entries of ``p``).

    Returns:
        The indices, in the order drawn.
    """
    if np.count_nonzero(p > 0) < size:
        raise ValueError("Fewer non-zero entries in p than size")
    p = np.array(p, dtype=float)  # a copy: found entries are zeroed
    found = np.zeros(size, dtype=np.int64)
    never = np.iinfo(np.int64).max
    first = np.full(p.size, never)
    count = 0
    while count < size:
        uniform = rng.random(size - count)
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        order = np.argsort(uniform)
        drawn = np.empty(uniform.size, dtype=np.int64)
        drawn[order] = cdf.searchsorted(uniform[order], side="right")
        position = np.arange(drawn.size)
        np.minimum.at(first, drawn, position)
        new = drawn[first[drawn] == position]  # the first draw of each index, in draw order
        first[drawn] = never
        found[count : count + new.size] = new
        p[new] = 0.0
        count += new.size
    return found


def quantile_of(values: np.ndarray, share: float) -> float:
    """``np.quantile(values, share)`` (linear method), bit for bit, in a fifth of the time.

    NumPy's quantile partitions a copy at both neighbours of the virtual index and carries
    general machinery for any shape and method; the hostage mechanism reads one quantile of one
    vector each survey wave. The arithmetic below is NumPy's own (``_lerp``), so the threshold,
    and every comparison made with it, is exactly what ``np.quantile`` gives
    (``tests/agents/test_accounts.py`` checks that on arbitrary vectors).
    """
    count = values.size
    virtual = (count - 1) * share
    if virtual >= count - 1:
        return float(values.max())
    if virtual < 0:
        return float(values.min())
    below = int(np.floor(virtual))
    ordered = np.partition(values, [below, below + 1])
    low, high = ordered[below], ordered[below + 1]
    weight = virtual - below
    difference = high - low
    if weight >= 0.5:
        return float(high - difference * (1 - weight))
    return float(low + difference * weight)


def account_power(acv: np.ndarray, book_mean_acv: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Leverage over the rep: large next to the rep's other accounts, and able to walk away."""
    relative_size = acv / np.maximum(book_mean_acv, 1e-9)
    return outside * (1.0 - np.exp(-relative_size))


def churn_chance(
    satisfaction: np.ndarray,
    params: AccountParams,
    discount: np.ndarray | float = 0.0,
    disrupted: np.ndarray | bool = False,
) -> np.ndarray:
    """Chance an account leaves at renewal: logistic in latent satisfaction, never the score.

    A discount makes the contract better value for money, worth ``price_sensitivity`` points
    of satisfaction per unit of discount. A base rate of departures unrelated to satisfaction
    (budgets, mergers) comes on top, and an account whose rep left recently is at extra risk.

    Args:
        satisfaction: Latent satisfaction of the renewing accounts.
        params: The ``[accounts]`` parameters.
        discount: The discount each account renews at.
        disrupted: Whether each account's rep left within ``disruption_weeks``.
    """
    value = satisfaction + params.price_sensitivity * discount
    unhappy = 1.0 / (1.0 + np.exp(params.churn_slope * (value - params.churn_midpoint)))
    chance = params.base_churn + (1.0 - params.base_churn) * unhappy
    return chance + (1.0 - chance) * params.disruption_churn * disrupted


class Account(mesa.Agent):
    """A B2B customer account: a thin Mesa agent over its row of the :class:`AccountBook`.

    The weekly life of an account (service, drift, answering) happens in bulk on the book; the
    agent holds the decision rare enough to be worth plain Python: what to demand for holding
    the score hostage. What the account learns from the outcome is the book's
    (:meth:`AccountBook.learn_from_demands`), in bulk.

    The model makes an account's agent only when a decision or a user needs it
    (``NPSModel.account``), so the weekly churn of accounts without one is the book's
    (:meth:`AccountBook.churn`); :meth:`leave` is what an account with an agent does.
    """

    def __init__(self, model: mesa.Model, book: AccountBook, row: int) -> None:
        super().__init__(model)
        self.book = book
        self.row = row

    @property
    def satisfaction(self) -> float:
        """Latent satisfaction, 0-10."""
        return float(self.book.satisfaction[self.row])

    @property
    def acv(self) -> float:
        """Annual contract value."""
        return float(self.book.acv[self.row])

    @property
    def power(self) -> float:
        """Leverage over the rep, 0-1."""
        return float(self.book.power[self.row])

    @property
    def savvy(self) -> float:
        """Learned propensity to hold the score hostage, 0-1."""
        return float(self.book.savvy[self.row])

    @property
    def rep_slot(self) -> int:
        """Slot of the owning rep."""
        return int(self.book.rep[self.row])

    @property
    def active(self) -> bool:
        """Whether the account is still a customer."""
        return bool(self.book.active[self.row])

    def demand_concession(self, params: AccountParams, draw: float) -> float:
        """Name the price of a good score before the survey.

        The demand is lognormal around ``concession_size`` of the contract value, with mean
        exactly that share whatever its spread.

        Args:
            params: The ``[accounts]`` parameters.
            draw: A standard-normal draw that sets how greedy this demand is.

        Returns:
            The concession demanded, in currency.
        """
        spread = params.demand_dispersion
        return self.acv * params.concession_size * float(np.exp(spread * draw - spread**2 / 2))

    def leave(self) -> None:
        """The account churns: it stops being a customer and its agent leaves the model."""
        self.book.churn(np.array([self.row]))
        self.remove()


def spread_savvy(
    rng: np.random.Generator,
    book: AccountBook,
    rows: np.ndarray,
    territory: np.ndarray,
    successes: np.ndarray,
    spread: float,
) -> int:
    """Word of mouth: accounts learn from peers whose demands paid off.

    Each granted demand in a manager's territory teaches ``spread`` of its accounts, chosen at
    random: each account there learns with chance ``spread * successes / size``, and one that
    learns knows the trick from then on (its savvy rises past the savvy line).

    Args:
        rng: The tactics' random stream.
        book: The account book.
        rows: Active account rows.
        territory: The manager of each of those rows.
        successes: Granted demands this wave, per territory.
        spread: ``accounts.savvy_spread``.

    Returns:
        How many accounts learned.
    """
    size = np.bincount(territory, minlength=successes.size)
    chance = np.minimum(1.0, spread * successes / np.maximum(size, 1))
    learns = rows[rng.random(rows.size) < chance[territory]]
    book.teach_savvy(learns, rng.uniform(SAVVY_LINE, 1.0, learns.size))
    return int(learns.size)


def equilibrium_satisfaction(
    baseline: np.ndarray, service_gain: np.ndarray, firm: FirmParams
) -> np.ndarray:
    """Satisfaction at which relaxation, service and expected incidents balance.

    The model starts there so that the first weeks show the firm as it is, not a warm-up.
    """
    pull = firm.relaxation_rate
    incidents = firm.incident_rate * firm.incident_severity
    level = (pull * baseline + service_gain - incidents) / (pull + service_gain / 10.0)
    return np.clip(level, 0.0, 10.0)
