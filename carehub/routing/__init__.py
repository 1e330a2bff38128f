"""Route planning for a day of home-care visits, independent of the web application."""

from carehub.routing.params import SolverParams
from carehub.routing.problem import (
    Break,
    Caregiver,
    Collection,
    Kitchen,
    Matrix,
    MealRules,
    Plan,
    Problem,
    Route,
    Stop,
    Unassigned,
    Visit,
    Window,
)
from carehub.routing.search.solver import solve
from carehub.routing.validate import Violation, validate

__all__ = [
    "Break",
    "Caregiver",
    "Collection",
    "Kitchen",
    "MealRules",
    "Matrix",
    "Plan",
    "Problem",
    "Route",
    "SolverParams",
    "Stop",
    "Unassigned",
    "Violation",
    "Visit",
    "Window",
    "solve",
    "validate",
]
