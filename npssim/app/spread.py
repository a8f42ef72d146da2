"""How sure? The dashboard's policy against its counterfactual over plausible firms.

The paired replications give the run-to-run interval of one firm; a leader also needs to know
whether the answer holds over the firms the assumptions allow.
:func:`npssim.experiment.uncertainty.assumption_spread` samples the schema's uncertain
assumptions (common random numbers, a replication or two per sampled firm) and states the
spread; this module runs it for the policy as the controls set it against the firm without
it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from npssim.app.comparison import Settings, Setup, firm_scenario
from npssim.app.controls import policy_at
from npssim.app.summary import policy_name
from npssim.experiment.uncertainty import assumption_spread

#: Plausible firms sampled per press of the button: a statement in about a minute.
SPREAD_SAMPLES = 16
#: Replications per sampled firm (common random numbers make one enough).
SPREAD_REPLICATIONS = 1
#: What the button says.
BUTTON = "How sure? (over plausible firms)"


def spread_labels(setup: Setup, settings: Settings) -> tuple[str, str]:
    """What the statement calls the policy and its counterfactual: as the title names them."""
    week = settings.intervention_week
    name = policy_name(policy_at(setup.scenario, week), f"{setup.scenario.name}'s policy")
    return f"{name} from week {week}", setup.without_name


def how_sure(
    setup: Setup,
    settings: Settings,
    samples: int = SPREAD_SAMPLES,
    spread: Callable[..., Any] | None = None,
) -> str:
    """The statement of the policy's spread over plausible firms, against the firm without it.

    Args:
        setup: The two firms' scenarios.
        settings: The controls as applied (levers, intervention week, root seed).
        samples: Plausible firms to sample.
        spread: The function to run (:func:`assumption_spread` by default; tests pass a fake).

    Returns:
        The statement, naming the policy and what it is compared with.
    """
    spread = spread or assumption_spread
    policy, reference = spread_labels(setup, settings)
    with_policy = firm_scenario(
        setup.scenario, settings.intervention_week, settings.levers
    ).model_copy(update={"name": policy})
    without = firm_scenario(setup.without, 0, settings.assumptions).model_copy(
        update={"name": reference}
    )
    result = spread(
        [with_policy],
        without,
        samples=samples,
        replications=SPREAD_REPLICATIONS,
        seed=settings.seed,
    )
    return f"Against {reference}, {policy} {result.statement(policy)}"
