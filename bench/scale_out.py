"""Planning scaled out on Celery workers (docs/benchmarks.md#scale-out-on-workers).

Starts a private Redis, then for each case a solver worker (`carehub worker -Q solve -c S`)
and one planning worker per city (`-Q plan-<i>`, its own copy of the seeded database,
`CAREHUB_PLANNING_FANOUT=1`), queues a run of every active station of each city at once
and waits for all of them. The case `plan` is the reference: `carehub plan` in one process
(its own pool of two) on a copy, run in the same minutes. The seeded file is only copied.

Prints one JSON line per case (wall time from queueing to the last run's end, load average
before and after, per city the visits planned and left open, travel minutes, the run's steps'
seconds and its circle tasks' figures: sent, waiting, searching, answering), then a table
on stderr.

    python bench/scale_out.py --db /work/city/city-day.sqlite3 \\
        --cases plan 1x1 1x2 3x2          # cities x solver processes; about 6 minutes
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOLVED = re.compile(r"Task carehub\.worker\.remote\.call\[[^\]]+\] succeeded in ([\d.]+)s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def _worker(
    env: dict[str, str], log: Path, queues: str, concurrency: int
) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-c", "from carehub.cli import main; main()", "worker"]
    argv += ["--queues", queues, "--concurrency", str(concurrency), "--hostname", f"{queues}@%h"]
    return subprocess.Popen(argv, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _ready(log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while b" ready." not in log.read_bytes():
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker did not start: {log}")
        time.sleep(0.2)


def case(db: Path, day: dt.date, limit: float, cities: int, solvers: int, broker: str) -> dict:
    from carehub.app import create_app
    from carehub.dispatch.planning import runner as planning_runner
    from carehub.dispatch.planning.models import PlanningRun
    from carehub.extensions import db as _db
    from carehub.registry.models import Station

    tmp = Path(tempfile.mkdtemp(prefix="scale-out-"))
    base = dict(os.environ, CAREHUB_BROKER_URL=broker, CAREHUB_PLANNING_FANOUT="1")
    base["CAREHUB_PLANNING_WORKERS"] = str(solvers)
    copies = []
    for i in range(cities):
        copy = tmp / f"city-{i}.sqlite3"
        shutil.copy(db, copy)
        copies.append(copy)
    workers = [
        _worker(
            dict(base, CAREHUB_DATABASE_URL=f"sqlite:///{copies[0]}"),
            tmp / "solve.log",
            "solve",
            solvers,
        )
    ]
    for i, copy in enumerate(copies):
        env = dict(base, CAREHUB_DATABASE_URL=f"sqlite:///{copy}", CAREHUB_PLAN_QUEUE=f"plan-{i}")
        workers.append(_worker(env, tmp / f"plan-{i}.log", f"plan-{i}", 1))
    try:
        for log in [tmp / "solve.log"] + [tmp / f"plan-{i}.log" for i in range(cities)]:
            _ready(log)
        apps = []
        for i, copy in enumerate(copies):
            app = create_app(
                {
                    "DATABASE_URL": f"sqlite:///{copy}",
                    "BROKER_URL": broker,
                    "PLAN_QUEUE": f"plan-{i}",
                }
            )
            apps.append(app)
        load_before = [round(x, 2) for x in os.getloadavg()]
        started = time.monotonic()
        runs = []
        for app in apps:
            with app.app_context():
                codes = list(_db.session.scalars(_db.select(Station.code).where(Station.active)))
                run = planning_runner.queue_run(_db.session, day, codes, limit, "bench")
                planning_runner.launch(run.id)
                runs.append(run.id)
        ended: dict[int, float] = {}
        results: dict[int, dict] = {}
        while len(ended) < cities:
            time.sleep(0.5)
            for i, (app, run_id) in enumerate(zip(apps, runs, strict=True)):
                if i in ended:
                    continue
                with app.app_context():
                    run = _db.session.get(PlanningRun, run_id)
                    if run.status not in ("queued", "running"):
                        ended[i] = time.monotonic() - started
                        results[i] = {
                            "status": run.status,
                            "seconds": round(ended[i], 1),
                            "planned": run.visits_planned,
                            "open": len(run.unassigned or []),
                            "travel_min": run.travel_minutes,
                            "error": run.error,
                            "queued_s": (run.input_summary or {}).get("queued_s"),
                            "phase_s": (run.input_summary or {}).get("phase_s"),
                            "fanout": (run.input_summary or {}).get("fanout"),
                        }
                    _db.session.remove()
        solve_s = sum(float(s) for s in SOLVED.findall((tmp / "solve.log").read_text()))
        return {
            "cities": cities,
            "solver_processes": solvers,
            "time_limit_s": limit,
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "wall_s": round(max(ended.values()), 1),
            "circle_solve_s": round(solve_s, 1),
            "runs": [results[i] for i in range(cities)],
        }
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(60)
            except subprocess.TimeoutExpired:
                worker.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def in_process(db: Path, day: dt.date, limit: float) -> dict:
    """The reference: `carehub plan` in one process (its own pool of two) on a copy."""
    tmp = Path(tempfile.mkdtemp(prefix="scale-out-plan-"))
    try:
        copy = tmp / "city.sqlite3"
        shutil.copy(db, copy)
        env = dict(os.environ, CAREHUB_DATABASE_URL=f"sqlite:///{copy}", CAREHUB_CLI_LOCALE="en")
        env.pop("CAREHUB_PLANNING_FANOUT", None)
        argv = [sys.executable, "-c", "from carehub.cli import main; main()", "plan"]
        argv += ["--date", day.isoformat(), "--time-limit", str(limit)]
        load_before = [round(x, 2) for x in os.getloadavg()]
        started = time.monotonic()
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
        wall = time.monotonic() - started
        with sqlite3.connect(copy) as conn:
            row = conn.execute(
                "SELECT input_summary FROM planning_runs ORDER BY id DESC"
            ).fetchone()
        summary = json.loads(row[0]) if row and row[0] else {}
        found = re.search(r"(\d+) visits planned .*?, (\d+) unassigned, (\d+) min travel", out)
        return {
            "case": "in-process",
            "time_limit_s": limit,
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "wall_s": round(wall, 1),
            "planned": int(found.group(1)) if found else None,
            "open": int(found.group(2)) if found else None,
            "travel_min": int(found.group(3)) if found else None,
            "phase_s": summary.get("phase_s"),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", type=Path, required=True, help="a seeded SQLite file, copied per city")
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 12, 7))
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--cases", nargs="+", default=["plan", "1x1", "1x2", "3x2"])
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="scale-out-redis-"))
    redis, broker = _start_redis(tmp)
    found = []
    try:
        for text in args.cases:
            if text == "plan":
                result = in_process(args.db, args.date, args.time_limit)
            else:
                cities, solvers = (int(n) for n in text.split("x"))
                result = case(args.db, args.date, args.time_limit, cities, solvers, broker)
            print(json.dumps(result), flush=True)
            found.append((text, result))
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    _table(found)
    return 0


def _table(found: list[tuple[str, dict]]) -> None:
    """The cases side by side: wall, load, and per run where the time went."""
    head = "case  wall s  load  planned  open  pass1 s  after s  searched  search s  idle s"
    print(head, file=sys.stderr)
    for text, result in found:
        load = f"{result['load_before'][0]:.1f}"
        runs = result.get("runs") or [result]
        for run in runs:
            phase, tasks = run.get("phase_s") or {}, run.get("fanout") or {}
            print(
                f"{text:5} {result['wall_s']:6.1f} {load:>5} {run.get('planned')!s:>8}"
                f" {run.get('open')!s:>5} {phase.get('solve_pass1', '-')!s:>8}"
                f" {phase.get('solve_after_pass1', '-')!s:>8} {tasks.get('searched', '-')!s:>9}"
                f" {tasks.get('call_s', {}).get('sum', '-')!s:>9}"
                f" {tasks.get('idle_between_s', '-')!s:>7}",
                file=sys.stderr,
            )


if __name__ == "__main__":
    sys.exit(main())
