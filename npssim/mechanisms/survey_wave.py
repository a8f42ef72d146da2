"""The survey wave: who is invited, what the tactics do to the answers, and who is called back.

A wave is where the score is made and where most tactics act: a rep who picks the sample may
keep at-risk accounts out (cherry-picking); savvy, powerful accounts hold their answer hostage
for a concession; reps plead, bribe and give free services; each answer is the customer's
latent satisfaction, blurred, moved by what touched it; managers call detractors back. Every
tactic's effect happens here, and each rep is told what its uses achieved, answer by answer
(the contribution with the tactic against without it), which is what reps learn from.

:class:`SurveyWave` is the model's component for all of it (``NPSModel.survey_class``): a
researcher changes how surveys work by subclassing it and overriding a public method.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from npssim import policy as rules
from npssim.agents.accounts import quantile_of, spread_savvy
from npssim.agents.managers import conduct
from npssim.agents.reps import contribution
from npssim.metrics import POWERFUL_SHARE
from npssim.survey import DETRACTOR_MAX, pick, pick_mask, response_chance, scores_from


class SurveyWave:
    """A survey wave's mechanisms, run against the model's book, roster and ledger.

    Args:
        model: The :class:`~npssim.NPSModel` the wave belongs to (its book, roster, random
            streams, policy and ledger).
    """

    def __init__(self, model: Any) -> None:
        self.model = model

    def invite(self, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """Pick this wave's sample; where reps pick, they may keep at-risk accounts out.

        Returns:
            The invited rows, the rep's read of each, how many were kept out, and the sample
            the same random keys would have drawn without cherry-picking.
        """
        model = self.model
        policy, book, roster = model.policy, model.book, model.roster
        perceived = roster.perceive(
            model.rngs["tactics"], book, active, model.params.reps.perception_noise
        )
        groups = book.rep[active]
        avoid = None
        if policy.survey.sampler == "rep":
            tried, avoid = roster.shun(
                model.rngs["tactics"], active, groups, perceived, model.params.reps
            )
            roster.record_uses(rules.CHERRY_PICK, groups[tried], model.params.reps)
        fraction = policy.survey.sample_fraction
        key = model.rngs["survey"].random(active.size)
        chosen, left_out = pick_mask(active, groups, roster.count, fraction, key, avoid)
        position = np.flatnonzero(chosen)
        invited = active[position]
        unpicked = invited
        if left_out.size:
            unpicked, _ = pick(active, groups, roster.count, fraction, key)
        return invited, perceived[position], int(left_out.size), unpicked

    def answer(
        self,
        invited: np.ndarray,
        perceived: np.ndarray,
        cherry_picked: int,
        unpicked: np.ndarray,
        active: np.ndarray,
        visible: bool,
        taught: np.ndarray,
    ) -> None:
        """Run a survey wave: giveaways, hostage demands, pleas and bribes, then the answers.

        Every tactic's effect happens here, in the answers, and each rep is told what its uses
        achieved: for each answer a tactic touched, the answer's NPS contribution with the
        tactic against without it (:meth:`RepRoster.record_gains`; reps read it with noise when
        they learn).

        Args:
            invited: The rows invited.
            perceived: The rep's read of each invited account's satisfaction.
            cherry_picked: How many accounts cherry-picking kept out of the sample.
            unpicked: The sample the same random keys would have drawn without cherry-picking.
            active: The active rows.
            visible: Whether reps can tell who was asked.
            taught: Satisfaction that hours moved by teaching to the test added to each
                invited account.
        """
        model = self.model
        params, policy, book, roster = model.params, model.policy, model.book, model.roster
        accounts, reps = params.accounts, params.reps
        effect = reps.tactic_effect
        tactics_rng, survey_rng = model.rngs["tactics"], model.rngs["survey"]
        owners = book.rep[invited]

        given, giveaway_cost = roster.give_away(
            tactics_rng,
            book,
            invited,
            perceived,
            visible,
            reps,
            policy.concessions.giveaway_budget,
        )
        model.tally.spend("giveaway", giveaway_cost)
        before_gift = book.satisfaction[invited]
        book.lift(invited[given], accounts.giveaway_lift)
        lifted = book.satisfaction[invited] - before_gift

        demanded, granted, bought = self.take_hostages(invited, active)

        pleaded, resented = roster.plead(
            tactics_rng, invited, owners, visible, reps, accounts.resent_probability
        )
        before_plea = book.satisfaction[invited]
        book.sour(invited[resented], accounts.resent_penalty)
        soured = before_plea - book.satisfaction[invited]
        bribed = roster.bribe(tactics_rng, owners, visible, reps)
        model.tally.spend("bribe", float(np.count_nonzero(bribed)) * reps.bribe_amount)

        keep = 1.0 - book.candor[invited]
        owed = book.promise[invited]
        shifts = {
            rules.COACH: (pleaded & ~resented) * effect.coach * keep,
            rules.BRIBE: bribed * effect.bribe * keep,
            rules.GIVEAWAY: given * effect.giveaway * keep,
            rules.CONCEDE: bought + owed,
        }
        satisfaction = book.satisfaction[invited]
        size = invited.size
        answers = survey_rng.random(size)
        noise = accounts.answer_noise * survey_rng.standard_normal(size)
        nudges = survey_rng.random(size)
        honestly = answers < self.response_chance(satisfaction)
        responds = honestly | ((pleaded | bribed) & (nudges < accounts.nudged_response)) | demanded
        raw = satisfaction + noise
        shifted = sum(shifts.values())

        def scored(points: np.ndarray, bought_off: np.ndarray = granted) -> np.ndarray:
            """The scores given for ``points``; a hostage-taker not bought off punishes."""
            scores = scores_from(points)
            punished = demanded & ~bought_off
            return np.where(punished, np.minimum(scores, accounts.punitive_score), scores)

        honest_scores = scores_from(raw)
        scores = scored(raw + shifted)
        without = {
            rules.COACH: scored(raw + shifted - shifts[rules.COACH] + soured),
            rules.BRIBE: scored(raw + shifted - shifts[rules.BRIBE]),
            rules.GIVEAWAY: scored(raw + shifted - shifts[rules.GIVEAWAY] - lifted),
            rules.CONCEDE: scored(raw + shifted - shifts[rules.CONCEDE], np.zeros(size, bool)),
            rules.TEACH_TO_TEST: scored(raw + shifted - taught),
        }
        touched = {
            rules.COACH: pleaded,
            rules.BRIBE: bribed,
            rules.GIVEAWAY: given,
            rules.CONCEDE: granted | (owed != 0),
            rules.TEACH_TO_TEST: taught != 0,
        }
        achieved = contribution(scores)
        for tactic, counterfactual in without.items():
            seen = touched[tactic] & responds
            roster.record_gains(
                tactic, owners[seen], achieved[seen] - contribution(counterfactual[seen])
            )

        self.observe(invited, responds, scores, touched)
        rows, collected = invited[responds], scores[responds]
        book.redeem_promises(rows)
        book.record_answers(rows, collected, model.week)
        roster.record_answers(book.rep[rows], collected)
        self.record_honest(invited, unpicked, honestly, honest_scores, rows, collected)
        model.tally.record_wave(
            invited=size,
            eligible=active.size,
            cherry_picked=cherry_picked,
            scores=collected,
            coached=int(np.count_nonzero(pleaded & responds)),
            bribed=int(np.count_nonzero(bribed & responds)),
            hostage=int(np.count_nonzero(demanded & responds)),
        )
        if policy.survey.sampler == "third_party":
            model.tally.spend("measurement", policy.survey.third_party_cost * size)
        self.follow_up(rows[collected <= DETRACTOR_MAX])

    def observe(
        self,
        invited: np.ndarray,
        responds: np.ndarray,
        scores: np.ndarray,
        touched: dict[int, np.ndarray],
    ) -> None:
        """A wave's outcome, for observers; the model itself does nothing with it.

        A subclass that records the survey (``npssim.diagnose`` writes a firm's exports from
        it) overrides this rather than :meth:`answer`, so recording cannot change a draw.

        Args:
            invited: The rows invited.
            responds: Mask over ``invited``: who answered.
            scores: The score each invited account gives (read where ``responds``).
            touched: Per tactic index, a mask over ``invited`` of the answers its uses moved.
        """

    def response_chance(self, satisfaction: np.ndarray) -> np.ndarray:
        """Each invited customer's chance of answering, after the policy's reminders."""
        model = self.model
        accounts = model.params.accounts
        return response_chance(
            satisfaction,
            accounts.response_rate,
            accounts.nonresponse_bias,
            model.policy.survey.reminders,
            accounts.reminder_effect,
        )

    def record_honest(
        self,
        invited: np.ndarray,
        unpicked: np.ndarray,
        honestly: np.ndarray,
        honest_scores: np.ndarray,
        answered: np.ndarray,
        collected: np.ndarray,
    ) -> None:
        """Tally what the wave would have said without tactics: the bonus's honest benchmark.

        The honest answers are those of the sample the rep would have drawn without
        cherry-picking, answering as they would unpleaded, unbribed and unthreatened (with the
        same random numbers where they were asked). Accounts that only cherry-picking kept out
        answer with draws of their own, from a stream no other mechanism uses; what keeping
        each of them out achieved is its rep's mean contribution this wave against its own
        answer's (:meth:`RepRoster.record_gains`).
        """
        model = self.model
        book, accounts, roster = model.book, model.params.accounts, model.roster
        if unpicked is invited:
            rows, scores = invited[honestly], honest_scores[honestly]
        else:
            in_sample = np.zeros(book.size, dtype=bool)
            in_sample[unpicked] = True
            kept = in_sample[invited] & honestly
            in_sample[:] = False
            in_sample[invited] = True
            extra = unpicked[~in_sample[unpicked]]
            rng = model.rngs["shadow"]
            satisfaction = book.satisfaction[extra]
            answers = rng.random(extra.size) < self.response_chance(satisfaction)
            raw = satisfaction + accounts.answer_noise * rng.standard_normal(extra.size)
            shadow = scores_from(raw)[answers]
            rows = np.concatenate([invited[kept], extra[answers]])
            scores = np.concatenate([honest_scores[kept], shadow])
            owners = book.rep[answered]
            counts = np.bincount(owners, minlength=roster.count)
            sums = np.bincount(owners, weights=contribution(collected), minlength=roster.count)
            mean = sums / np.maximum(counts, 1)
            kept_out = book.rep[extra[answers]]
            roster.record_gains(rules.CHERRY_PICK, kept_out, mean[kept_out] - contribution(shadow))
        roster.record_honest_answers(book.rep[rows], scores)

    def take_hostages(
        self, invited: np.ndarray, active: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Savvy, powerful accounts demand a concession before answering; reps grant or refuse.

        A rep grants as its pay makes it (:meth:`SalesRep.consider_concession`); a granted
        account adds ``tactic_effect.concede`` points to its answer if it keeps its word, a
        refused one gives a punitive score.

        Returns:
            Masks over ``invited``: demanded, and granted; and the answer points each granted
            account adds.
        """
        model = self.model
        params, policy, book = model.params, model.policy, model.book
        accounts = params.accounts
        rng = model.rngs["tactics"]
        stakes = model.pricing.threat_weight(book.rep[invited])
        chance = accounts.demand_rate * book.savvy[invited] * book.power[invited] * stakes
        demanded = rng.random(invited.size) < chance
        granted = np.zeros(invited.size, dtype=bool)
        bought = np.zeros(invited.size)
        which = np.flatnonzero(demanded)
        if which.size == 0:
            return demanded, granted, bought
        sizes = rng.standard_normal(which.size)
        draws = rng.random((which.size, 3))
        powerful = quantile_of(book.power[active], 1.0 - POWERFUL_SHARE) if active.size else 0.0
        revenue_cost = model.pay.revenue_cost(policy, book.rep[invited[which]])
        for k, position in enumerate(which):
            account = model.account(invited[position])
            rep = model.reps[account.rep_slot]
            amount = account.demand_concession(accounts, float(sizes[k]))
            ok = rep.consider_concession(
                amount,
                account.acv,
                policy,
                params.reps,
                model.managers[rep.slot // model.team_size],
                float(revenue_cost[k]),
                (float(draws[k, 0]), float(draws[k, 1])),
            )
            if ok:
                model.tally.concede(amount, powerful=account.power >= powerful)
                model.pay.credit(np.array([rep.slot]), np.array([amount]))
                if draws[k, 2] < accounts.promise_kept:
                    bought[position] = params.reps.tactic_effect.concede
            granted[position] = ok
        book.learn_from_demands(
            invited[which], granted[which], accounts.savvy_reinforcement, accounts.savvy_fade
        )
        refused = invited[demanded & ~granted]
        book.sour(refused, accounts.refusal_penalty * book.power[refused])
        territory_of = model.roster.manager
        successes = np.bincount(
            territory_of[book.rep[invited[granted]]], minlength=len(model.managers)
        )
        if successes.any():
            spread_savvy(
                rng,
                book,
                active,
                territory_of[book.rep[active]],
                successes,
                accounts.savvy_spread,
            )
        return demanded, granted, bought

    def follow_up(self, detractors: np.ndarray) -> None:
        """Closed loop: managers call detractors back and fix causes (a real good)."""
        model = self.model
        policy = model.policy
        if policy.follow_up.closed_loop <= 0 or detractors.size == 0:
            return
        managers = model.params.managers
        chance = conduct(model.managers, "follow_up_chance", policy, managers)
        team = model.roster.manager[model.book.rep[detractors]]
        called = detractors[model.rngs["tactics"].random(detractors.size) < chance[team]]
        model.book.fix(called, managers.closed_loop_fix)
        model.book.lift(called, managers.closed_loop_lift)
        model.tally.record_follow_ups(int(called.size))
        model.tally.spend("measurement", policy.follow_up.call_cost * called.size)
