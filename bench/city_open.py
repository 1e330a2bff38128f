"""Why each request the city weekday leaves open is open: infeasible, or only not found.

Plans the seeded city's day in this process as `carehub plan` does (same deadline, same
reserve, nothing written), then for every visit left open:

- `why`: whether anybody in reach (its circle and the two it may borrow from) may serve it,
  and whether any of them has a gap as long as its service inside its window, travel left
  out (`routing.repair.exchange.why_open`): when none has, only moving visits could place it;
- `search`: a long solve (`--prove-s`, guided local search then ruin and recreate, as pass 1
  runs) of its station alone, every visit free to change caregiver: whether it places the
  open visit, and how many of the station's visits it leaves open. Placed means the request
  was feasible and the run missed it; not placed is evidence, not proof (the run may also
  lend it to a neighbour).

`--no-exchange` plans without the exchange step, to see what it places.

    CAREHUB_DATABASE_URL=sqlite:///.../city-copy.sqlite3 \\
        python bench/city_open.py --date 2026-12-07 --time-limit 60 --prove-s 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections import Counter


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--date", default="2026-12-07")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--prove-s", type=float, default=20.0)
    ap.add_argument("--no-exchange", action="store_true")
    args = ap.parse_args(argv)
    started = time.time()

    from carehub.app import create_app
    from carehub.core.time import local_to_utc
    from carehub.dispatch import adapters
    from carehub.dispatch.planning import services
    from carehub.dispatch.planning import shortfall as planning_shortfall
    from carehub.extensions import db
    from carehub.routing import SolverParams, solve, validate
    from carehub.routing import circles as circles_module
    from carehub.routing.deadline import Deadline
    from carehub.routing.repair.exchange import why_open
    from carehub.routing.subproblem import subproblem

    if args.no_exchange:
        circles_module.EXCHANGE_SHARE = 0.0
    day = dt.date.fromisoformat(args.date)
    with create_app().app_context():
        deadline = Deadline(started + args.time_limit)
        stations = services._stations(db.session, None)
        circles_module.warm()
        ids = [s.id for s in stations]
        requests = services.day_requests(db.session, day, ids)
        caregivers = services.station_caregivers(db.session, ids)
        data = adapters.build_day(
            day,
            stations,
            requests,
            caregivers,
            services._default_matrices(),
            now=local_to_utc(day, dt.time(0)),
        )
        problem, circles = data.problem, data.circles
        reserve = services.write_reserve(len(problem.visits))
        reserve += planning_shortfall.SHARE * args.time_limit
        load = [os.getloadavg()[0]]
        result = circles_module.solve_circles(
            problem,
            circles,
            SolverParams(time_limit_s=args.time_limit),
            deadline=deadline,
            reserve_s=reserve,
        )
        load.append(os.getloadavg()[0])
        plan = result.plan
        out: dict[str, object] = {
            "date": args.date,
            "time_limit_s": args.time_limit,
            "exchange": not args.no_exchange,
            "solve_s": round(result.seconds, 1),
            "load_avg": [round(x, 2) for x in load],
            "visits": len(problem.visits),
            "open": len(plan.unassigned),
            "reasons": dict(Counter(u.reason for u in plan.unassigned)),
            "violations": len(validate(problem, plan)),
            "notes": list(plan.notes),
        }
        print(json.dumps(out), file=sys.stderr, flush=True)  # before the long searches
        g = circles_module._group(problem, circles)
        routes = {r.caregiver: r for r in plan.routes}
        found = []
        by_circle: dict[str, list[str]] = {}
        for u in plan.unassigned:
            home = circles_module._home_circle(problem, circles, problem.visit(u.visit))
            by_circle.setdefault(g.joined(home), []).append(u.visit)
        for n, left in sorted(by_circle.items()):
            cgs = circles_module._near_caregivers(problem, circles, g.joined, g.cgs_in, routes, n)
            held = sorted({s.visit for c in cgs for s in routes[c.id].stops})
            part = subproblem(problem, [problem.visit(v) for v in held + left], cgs)
            checks = {v: why_open(part, plan, v) for v in left}
            # The station alone, searched long (as pass 1 searches it, for longer): its own
            # visits and caregivers, nothing pinned.
            alone = subproblem(problem, g.visits_in[n], g.cgs_in.get(n, []))
            t0 = time.time()
            proof = solve(alone, SolverParams(time_limit_s=args.prove_s))
            seconds = round(time.time() - t0, 1)
            placed = {s.visit for r in proof.routes for s in r.stops}
            valid = not validate(alone, proof)
            for v in left:
                u = next(x for x in plan.unassigned if x.visit == v)
                visit = problem.visit(v)
                found.append(
                    {
                        "visit": v,
                        "circle": n,
                        "reason": u.reason,
                        "skill": visit.skill,
                        "gender": visit.gender,
                        "windows": [[w.start, w.end] for w in visit.windows],
                        "why": checks[v].why,
                        "search": {
                            "seconds": seconds,
                            "placed": v in placed,
                            "open_in_circle": len(proof.unassigned),
                            "valid": valid,
                        },
                    }
                )
        out["left_open"] = found
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
