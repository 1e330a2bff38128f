"""Solomon instances: reading, the full-precision checker, a short solve of C101."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from carehub.routing import validate
from carehub.routing.search.solver import _search_parameters
from carehub_bench import eject, solomon
from carehub_bench.cli import register

ROOT = Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks"
C101 = ROOT / "solomon" / "C101.txt"

# Skipped on a machine without the instances; in CI their absence is a failure, not a skip.
IN_CI = os.environ.get("CI") == "true"
pytestmark = pytest.mark.skipif(
    not C101.exists() and not IN_CI, reason=f"Solomon instances not found at {ROOT}"
)


@pytest.fixture(autouse=True)
def _instances_present() -> None:
    if not C101.exists():
        pytest.fail(f"Solomon instances not found at {ROOT} (CI must provide them)")


def test_reads_c101() -> None:
    inst = solomon.read(C101)
    assert (inst.name, inst.vehicles, inst.capacity, inst.customers) == ("C101", 25, 200, 100)
    assert (inst.x[0], inst.y[0], inst.due[0]) == (40, 50, 1236)
    assert (inst.x[1], inst.y[1], inst.demand[1], inst.ready[1], inst.due[1], inst.service[1]) == (
        45,
        68,
        10,
        912,
        967,
        90,
    )
    p = solomon.to_problem(inst)
    assert len(p.visits) == 100 and len(p.caregivers) == 25
    # Travel rounds up and cost rounds to nearest, both at 1/1000 of a unit.
    assert p.travel["solomon"][0][1] == 18682 and p.distance[0][1] == 18682


def test_checker_reports_broken_routes() -> None:
    inst = solomon.read(C101)
    assert solomon.check(inst, [[c] for c in range(1, 101)]) == []
    assert any("exactly once" in e for e in solomon.check(inst, [[c] for c in range(1, 100)]))
    assert any("due" in e for e in solomon.check(inst, [list(range(1, 101))]))


def test_c101_in_two_seconds() -> None:
    inst = solomon.read(C101)
    result = solomon.solve_instance(inst, 2.0)
    assert solomon.check(inst, result.routes) == []
    assert result.vehicles == 10
    # 828.94 on an idle machine; two busy cores sometimes leave it a few percent short.
    assert result.distance == pytest.approx(828.94, rel=0.035)


def test_solver_plan_passes_validate() -> None:
    inst = solomon.read(C101)
    p = solomon.to_problem(inst)
    plan = solomon.solve(p, solomon.params(1.0))
    assert validate(p, plan) == []


def test_cli_prints_json() -> None:
    @click.group()
    def main() -> None:
        pass

    register(main)
    out = CliRunner().invoke(main, ["bench", "solomon", str(C101), "--time-limit", "1", "--json"])
    assert out.exit_code == 0, out.output
    row = json.loads(out.output)["instances"][0]
    assert {
        "name",
        "vehicles",
        "distance",
        "bks_vehicles",
        "bks_distance",
        "gap_pct",
        "seconds",
        "routes",
    } <= set(row)
    assert row["name"] == "C101" and row["bks_vehicles"] == 10 and row["valid"]
    assert sorted(c for r in row["routes"] for c in r) == list(range(1, 101))


@pytest.mark.parametrize("strategy", [solomon.BASELINE, solomon.DISTANCE, solomon.FLEET])
@pytest.mark.parametrize("warm", [False, True])
def test_strategy_search_parameters_parse(strategy: solomon.Strategy, warm: bool) -> None:
    mh, text = strategy.search(warm)
    sp = _search_parameters(solomon.params(1.0, metaheuristic=mh, search_overrides=text))
    ils = strategy.warm_ils if warm else strategy.ils
    assert sp.use_iterated_local_search == ils
    if ils and strategy.ils_temps is not None:
        sa = sp.iterated_local_search_parameters.reference_solution_acceptance_strategy
        assert sa.simulated_annealing.initial_temperature == strategy.ils_temps[0]


def test_ruin_and_recreate_from_routes_serves_everyone() -> None:
    """A warm start through the first-solution hint: valid, and never worse than the hint."""
    inst = solomon.read(C101)
    p = solomon.to_problem(inst, 12)
    hint = [[str(c) for c in range(1 + 9 * k, min(10 + 9 * k, 101))] for k in range(12)]
    hint = [r for r in hint if solomon.check(inst, [[int(c) for c in r]]) == []]
    mh, text = solomon.FLEET.search(warm=True)
    plan = solomon.solve(
        p,
        solomon.params(
            1.0,
            first_solution="LOCAL_CHEAPEST_INSERTION",
            metaheuristic=mh,
            search_overrides=text,
        ),
        initial_routes=hint,
    )
    assert validate(p, plan) == [] and not plan.unassigned
    assert solomon.check(inst, solomon.plan_routes(plan)) == []


def test_portfolio_on_c101_in_two_seconds() -> None:
    inst = solomon.read(C101)
    result = solomon.solve_portfolio(inst, 2.0)
    assert solomon.check(inst, result.routes) == []
    assert result.vehicles == 10 and not result.fallback
    assert result.distance == pytest.approx(828.94, rel=0.035)
    assert result.seconds < 4.0


def test_ruin_and_recreate_with_a_solution_limit_is_reproducible() -> None:
    inst = solomon.read(C101)
    mh, text = solomon.DISTANCE.search(warm=False)
    settings = solomon.params(30.0, metaheuristic=mh, search_overrides=text, solution_limit=300)
    first = solomon.plan_routes(solomon.solve(solomon.to_problem(inst), settings))
    assert first == solomon.plan_routes(solomon.solve(solomon.to_problem(inst), settings))


def test_route_elimination_empties_routes_of_c101() -> None:
    inst = solomon.read(C101)
    data, cost = solomon.eject_data(inst)
    routes = eject.eliminate(data, [[c] for c in range(1, 101)], 1.0, cost)
    assert solomon.check(inst, routes) == []
    # 1,810 units of demand on vehicles of 200 need 10 routes; the instance allows 25.
    assert 10 <= len(routes) <= 25


def test_fleet_strategy_removes_routes_its_start_left_and_polishes_them() -> None:
    inst = solomon.read(ROOT / "solomon" / "R201.txt")
    # The first solution alone, with no search after it, is the same on any machine and
    # leaves R201 five routes or more; the best known plan has four.
    first = solomon.params(30.0, solution_limit=1, metaheuristic="GREEDY_DESCENT")
    start = solomon.plan_routes(solomon.solve(solomon.to_problem(inst), first))
    assert len(start) >= 5
    # A budget of steps, not seconds: under load 1.5 s of patience left all five routes.
    # Two hundred is twice what removing the fifth route takes.
    steady = dataclasses.replace(solomon.FLEET, eject_steps=200)
    fewer = solomon._eliminate(inst, start, steady, 10.0, time.monotonic() + 60.0)
    assert solomon.check(inst, fewer) == [] and len(fewer) < len(start)
    weak = dataclasses.replace(steady, ils=False, metaheuristic="GREEDY_DESCENT", full_share=0.05)
    result = solomon.solve_instance(inst, 10.0, strategy=weak)
    assert solomon.check(inst, result.routes) == []
    assert result.vehicles == 4
    # 1,252.37 best known; the polish after elimination brings it within a few percent.
    assert result.distance < 1.1 * 1252.37
