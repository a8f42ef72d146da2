"""The decision dashboard: the firm with the policy beside the same firm without it.

A leader deciding on an NPS bonus needs the difference it makes, with its uncertainty, not one
firm's absolute totals. The dashboard runs two firms on the same seeds, several replications
each, and shows a verdict in plain words, tiles of paired differences with 95% intervals in the
report's vocabulary (:mod:`npssim.report.vocabulary`), reported against true NPS for both
firms, and the cumulative difference in the firm's money week by week.

The package keeps the paired comparison apart from the user interface:

- :mod:`~npssim.app.controls`: the levers, their widgets and how their values read;
- :mod:`~npssim.app.comparison`: the two firms, stepped together, and paired differences;
- :mod:`~npssim.app.summary`: tiles, the verdict, the title and the one-line set-up;
- :mod:`~npssim.app.figures`: the charts and their fitted, grow-only axes;
- :mod:`~npssim.app.spread`: "How sure?", the spread over plausible firms;
- :mod:`~npssim.app.page`: the Solara page that lays them out.

Run it with ``npssim explore [SCENARIO] [--against OTHER] [--replications N]``, or show it in
Jupyter::

    from npssim.app import dashboard
    dashboard("intervention_week26")
"""

from npssim.app.comparison import (
    SIDES,
    WITH,
    WITHOUT,
    Comparison,
    ExploreModel,
    Settings,
    Setup,
    View,
    default_settings,
    firm_scenario,
    make_setup,
    paired_difference,
    without_scenario,
)
from npssim.app.controls import (
    AGAINST_VARIABLE,
    ASSUMPTIONS_GROUP,
    DEFAULT_REPLICATIONS,
    DEFAULT_SCENARIO,
    MAX_REPLICATIONS,
    POLICY_GROUP,
    REPLICATIONS_VARIABLE,
    SCENARIO_VARIABLE,
    SEED_VARIABLE,
    checkbox_label,
    control,
    control_groups,
    format_setting,
    levers,
    model_params,
    policy_at,
)
from npssim.app.figures import axis_ranges, fitted, net_figure, nice_ceiling, nps_figure
from npssim.app.page import Dashboard, Page, dashboard
from npssim.app.spread import how_sure
from npssim.app.summary import (
    TILES,
    assumptions_changed,
    comparison_rows,
    money_so_far,
    setup_line,
    tiles,
    title,
    verdict,
)

__all__ = [
    "AGAINST_VARIABLE",
    "ASSUMPTIONS_GROUP",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SCENARIO",
    "MAX_REPLICATIONS",
    "POLICY_GROUP",
    "REPLICATIONS_VARIABLE",
    "SCENARIO_VARIABLE",
    "SEED_VARIABLE",
    "SIDES",
    "TILES",
    "WITH",
    "WITHOUT",
    "Comparison",
    "Dashboard",
    "ExploreModel",
    "Page",
    "Settings",
    "Setup",
    "View",
    "assumptions_changed",
    "axis_ranges",
    "checkbox_label",
    "comparison_rows",
    "control",
    "control_groups",
    "dashboard",
    "default_settings",
    "firm_scenario",
    "fitted",
    "format_setting",
    "how_sure",
    "levers",
    "make_setup",
    "model_params",
    "money_so_far",
    "net_figure",
    "nice_ceiling",
    "nps_figure",
    "paired_difference",
    "policy_at",
    "setup_line",
    "tiles",
    "title",
    "verdict",
    "without_scenario",
]
