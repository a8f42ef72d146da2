"""Experiments' default sizes, in a module of their own so the command line reads them cheaply.

The argument parser shows these in ``--help`` and uses them as defaults; importing them from
here, rather than from the modules that run the experiments, keeps ``npssim validate`` and a
mistyped option from loading the model, the statistics and matplotlib first.
"""

from npssim.errors import InputError

#: Replications per scenario (and sweep point) when none are asked for: enough for intervals of
#: useful width on most metrics.
DEFAULT_REPLICATIONS = 20
#: Replications averaged per point of a sensitivity design, which has many points.
SENSITIVITY_REPLICATIONS = 5
#: Replications per calibration candidate: enough for a steady mean of most metrics.
CALIBRATION_REPLICATIONS = 8
#: Model evaluations (candidate parameter sets) of a calibration when no budget is given.
CALIBRATION_EVALUATIONS = 60
#: The sensitivity analyses offered.
METHODS = ("sobol", "morris")
#: Replications per scenario and design point of a break-even study: it has many points, and the
#: paired differences of net value are narrow (a few percent of the effect at full size).
BREAKEVEN_REPLICATIONS = 5
#: Levels per axis of the break-even heatmap.
BREAKEVEN_GRID = 5
#: Latin-hypercube points of the break-even scenario discovery.
BREAKEVEN_SAMPLES = 48
#: Fewest levels per axis of a break-even heatmap: both ends of each range.
BREAKEVEN_MIN_GRID = 2
#: Fewest sampled points PRIM is asked to find a box in; fewer is noise.
BREAKEVEN_MIN_SAMPLES = 10
#: Replications of every combination of a decomposition's elements: 2**k combinations share
#: them, and each element's contribution is read from paired differences (so a few minutes for
#: six elements at the reference firm on two cores).
DECOMPOSE_REPLICATIONS = 10
#: Most elements a decomposition takes: 2**8 = 256 combinations of each replication.
DECOMPOSE_MAX_ELEMENTS = 8
#: Morris trajectories of the break-even screen: each is (assumptions + 1) points.
BREAKEVEN_TRAJECTORIES = 8
#: Replications per scenario and point of the screen: one, since both scenarios and every point
#: share their seeds (common random numbers), so an elementary effect is mostly signal.
BREAKEVEN_SCREEN_REPLICATIONS = 1
#: Assumptions the screen carries into the tornado, the map and PRIM (the strongest by mu_star).
BREAKEVEN_CARRY = 8
#: Fewest Morris trajectories: SALib needs two to tell an effect from its spread.
BREAKEVEN_MIN_TRAJECTORIES = 2
#: Plausible firms (Latin-hypercube points over the uncertain assumptions) of the spread every
#: comparison's answer gives: with common random numbers one replication each is enough, and this
#: many keeps the main job (four scenarios, 30 replications) within about a minute on two cores.
ASSUMPTION_SAMPLES = 40
#: Fewest plausible firms a spread is drawn over: fewer give no percentiles and no PRIM box worth
#: stating (0 turns the spread off).
ASSUMPTION_MIN_SAMPLES = 10


def assumption_samples(given: int | None) -> int:
    """The plausible firms a comparison samples: ``given``, or :data:`ASSUMPTION_SAMPLES`.

    The default is read when called, not when a signature is made, so the CLI and Python share
    one default and a session may change it in one place (the test suite turns the spread off
    for every comparison that is not about it).
    """
    return ASSUMPTION_SAMPLES if given is None else given


def check_assumption_samples(samples: int | None) -> None:
    """``--assumption-samples``: 0 (no spread) or enough plausible firms to count in.

    Raises:
        InputError: Naming the option, the rule and the value.
    """
    samples = assumption_samples(samples)
    if samples != 0 and samples < ASSUMPTION_MIN_SAMPLES:
        raise InputError(
            f"--assumption-samples: 0 (off) or at least {ASSUMPTION_MIN_SAMPLES} plausible "
            f"firms, got {samples}"
        )
