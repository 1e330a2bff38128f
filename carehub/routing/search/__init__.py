"""The search for a day's plan: the OR-Tools model, the greedy fallback, ruin and recreate."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from carehub.routing.params import SolverParams
from carehub.routing.problem import Plan, Problem

# The solver's own search (`solver._solve`), handed to the phases that run it again from a
# plan, which cannot import the solver that imports them.
Solve = Callable[[Problem, SolverParams, Sequence[Sequence[str]] | None], Plan]
