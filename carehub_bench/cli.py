"""``carehub bench solomon``: solve Solomon instances and compare with the best-known values."""

from __future__ import annotations

import json
from pathlib import Path

import click

from carehub_bench import solomon


def _find_bks(files: list[Path]) -> Path | None:
    for f in files:
        for candidate in (f.parent / "solomon_bks.csv", f.parent.parent / "solomon_bks.csv"):
            if candidate.exists():
                return candidate
    return None


def run(files: list[Path], time_limit: float, bks_path: Path | None) -> list[dict]:
    bks = solomon.best_known(bks_path) if bks_path is not None else {}
    out = []
    for f in files:
        inst = solomon.read(f)
        result = solomon.solve_portfolio(inst, time_limit)
        errors = solomon.check(inst, result.routes)
        known = bks.get(inst.name)
        gap = None
        if known is not None and known[0] == result.vehicles:
            gap = round(100 * (result.distance - known[1]) / known[1], 2)
        out.append(
            {
                "name": inst.name,
                "vehicles": result.vehicles,
                "distance": round(result.distance, 2),
                "bks_vehicles": known[0] if known else None,
                "bks_distance": known[1] if known else None,
                "gap_pct": gap,
                "seconds": round(result.seconds, 2),
                "valid": not errors,
                "errors": errors,
                "routes": [list(r) for r in result.routes],
            }
        )
    return out


def bench_day_load() -> float:
    from carehub_bench.bench_day import DEFAULT_LOAD

    return DEFAULT_LOAD


def register(main: click.Group) -> None:
    main.add_command(bench_group)


@click.group("bench")
def bench_group() -> None:
    """Benchmarks of the route planner."""


@bench_group.command("solomon")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--time-limit", default=10.0, show_default=True, help="Seconds per instance.")
@click.option(
    "--bks",
    "bks_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Best-known values (instance,vehicles,distance); found next to the files if omitted.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def solomon_command(
    files: tuple[Path, ...], time_limit: float, bks_path: Path | None, as_json: bool
) -> None:
    """Solve Solomon VRPTW instances: fewest vehicles first, then shortest distance."""
    paths = list(files)
    rows = run(paths, time_limit, bks_path or _find_bks(paths))
    if as_json:
        click.echo(json.dumps({"instances": rows}))
        return
    click.echo(
        f"{'name':8} {'veh':>4} {'distance':>10} {'bks':>4} {'bks dist':>10} {'gap%':>6} {'s':>6}"
    )
    for r in rows:
        gap = "" if r["gap_pct"] is None else f"{r['gap_pct']:.2f}"
        bv = "" if r["bks_vehicles"] is None else str(r["bks_vehicles"])
        bd = "" if r["bks_distance"] is None else f"{r['bks_distance']:.2f}"
        flag = "" if r["valid"] else "  INVALID"
        click.echo(
            f"{r['name']:8} {r['vehicles']:>4} {r['distance']:>10.2f} {bv:>4} {bd:>10} {gap:>6} {r['seconds']:>6.1f}{flag}"
        )


@bench_group.command("day")
@click.option("--visits", default=1000, show_default=True)
@click.option("--caregivers", default=60, show_default=True)
@click.option("--seed", default=1, show_default=True, help="First seed.")
@click.option("--runs", default=1, show_default=True, help="Days (seeds) to plan.")
@click.option("--time-limit", default=18.0, show_default=True, help="Seconds for the plan.")
@click.option(
    "--reference-factor",
    default=10.0,
    show_default=True,
    help="Also solve with this many times the time for comparison; 0 skips it.",
)
@click.option(
    "--load",
    default=bench_day_load(),
    show_default=True,
    help="Service hours over shift hours; the catalogue's durations are scaled to it.",
)
@click.option(
    "--infeasible", default=10, show_default=True, help="Visits nobody can serve, on purpose."
)
@click.option(
    "--references",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file of reference runs: reused when computed by the same code, else computed "
    "and stored.",
)
def day_command(
    visits: int,
    caregivers: int,
    seed: int,
    runs: int,
    time_limit: float,
    reference_factor: float,
    load: float,
    infeasible: int,
    references: Path | None,
) -> None:
    """Plan synthetic district days by circles and compare with longer solves."""
    from carehub_bench import bench_day

    seeds = list(range(seed, seed + max(1, runs)))
    out = bench_day.compare(
        visits, caregivers, seeds, time_limit, reference_factor, load, infeasible, references
    )
    click.echo(json.dumps(out))


@bench_group.command("emergency")
@click.option("--visits", default=60, show_default=True)
@click.option("--caregivers", default=8, show_default=True)
@click.option("--emergencies", default=100, show_default=True)
@click.option("--seed", default=1, show_default=True)
@click.option("--plan-time", default=10.0, show_default=True, help="Seconds for the day's plan.")
def emergency_command(
    visits: int, caregivers: int, emergencies: int, seed: int, plan_time: float
) -> None:
    """Time emergency insertion into a published one-circle day."""
    from carehub_bench import bench_day

    click.echo(
        json.dumps(bench_day.emergency_run(visits, caregivers, seed, emergencies, plan_time))
    )
