"""The preparation planner's pure core: medicine holds, restarts, labs and fasting.

Entry point: :func:`make_plan` (see ``plan.py`` for the input and output shapes). The tables live
in ``medicines.py`` (recognition), ``holds.py`` (stop and restart rules per edition),
``labs.py`` and ``fasting.py``; ``dose_schedule.py`` does the clock arithmetic.
"""

from spinepath.clinical.preparation.fasting import DEFAULT_GLP1_GUIDANCE, GLP1_GUIDANCES
from spinepath.clinical.preparation.holds import DEFAULT_EDITION, EDITIONS, HOLD_TABLE
from spinepath.clinical.preparation.inputs import parse_plan_input
from spinepath.clinical.preparation.plan import make_plan, plan_result

__all__ = [
    "DEFAULT_EDITION",
    "DEFAULT_GLP1_GUIDANCE",
    "EDITIONS",
    "GLP1_GUIDANCES",
    "HOLD_TABLE",
    "make_plan",
    "parse_plan_input",
    "plan_result",
]
