"""The whole city's weekday planned as a user would: `carehub plan` on a seeded city.

Each run plans a fresh copy of the seeded database (a second plan of the same day would
re-plan around the first), under `bench/peak.py`'s sampler: wall time of the command and
the peak of the summed resident memory of its whole process tree (main process, fork
server, solver workers). Prints one JSON object with every run and the medians.

    CAREHUB_DATABASE_URL=sqlite:///.../city.sqlite3 \\
        python bench/city_day.py --date 2026-12-07 --time-limit 60 --runs 3
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from peak import measure  # noqa: E402

REASON = re.compile(r"^  request \d+: (?P<reason>.+)$", re.MULTILINE)
DONE = re.compile(
    r"Run \d+ (?P<status>\w+): (?P<planned>\d+) visits planned \((?P<lent>\d+) lent\), "
    r"(?P<unassigned>\d+) unassigned, (?P<travel>\d+) min travel, (?P<solve>[\d.]+) s"
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--date", default="2026-12-07")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--carehub", default=str(Path(sys.executable).with_name("carehub")))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    url = os.environ.get("CAREHUB_DATABASE_URL", "")
    if not url.startswith("sqlite:///"):
        ap.error("CAREHUB_DATABASE_URL must name the seeded city's SQLite file")
    seeded = Path(url.removeprefix("sqlite:///"))
    runs = []
    with tempfile.TemporaryDirectory(prefix="city-day-") as tmp:
        for i in range(args.runs):
            copy = Path(tmp, f"run{i}.sqlite3")
            shutil.copyfile(seeded, copy)
            env = {**os.environ, "CAREHUB_DATABASE_URL": f"sqlite:///{copy}"}
            command = [args.carehub, "plan", "--date", args.date]
            command += ["--time-limit", f"{args.time_limit:g}"]
            load_before = os.getloadavg()[0]
            result = measure(command, env=env)
            stdout = result.pop("stdout")
            found = DONE.search(stdout)
            if result["returncode"] != 0 or found is None:
                print(json.dumps(result), file=sys.stderr)
                return 1
            run = {
                "wall_s": result["wall_s"],
                "peak_rss_mib": result["peak_rss_mib"],
                "peak_processes": result["peak_processes"],
                "status": found["status"],
                "planned": int(found["planned"]),
                "lent": int(found["lent"]),
                "unassigned": int(found["unassigned"]),
                "travel_min": int(found["travel"]),
                "solve_s": float(found["solve"]),
                "reasons": dict(collections.Counter(m["reason"] for m in REASON.finditer(stdout))),
                "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            }
            runs.append(run)
            print(json.dumps(run), file=sys.stderr)
            copy.unlink()
    summary = {
        "date": args.date,
        "time_limit_s": args.time_limit,
        "runs": runs,
        "median_wall_s": statistics.median(r["wall_s"] for r in runs),
        "median_peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs),
        "max_peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "median_planned": statistics.median(r["planned"] for r in runs),
        "median_unassigned": statistics.median(r["unassigned"] for r in runs),
    }
    text = json.dumps(summary, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
