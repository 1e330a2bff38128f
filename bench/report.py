"""Turn the JSON written by bench/solomon.py into the Markdown tables of docs/benchmarks.md.

python bench/report.py bench-out.json > table.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _cell(r: dict) -> str:
    gap = "" if r["gap_pct"] is None else f"{r['gap_pct']:.2f}"
    ok = "" if r["valid"] else " (invalid)"
    return f"{r['vehicles']} | {r['distance']:.2f} | {gap}{ok}"


def main(path: str) -> None:
    data = json.loads(Path(path).read_text())
    ours = data["carehub"]["instances"]
    ref = {r["name"]: r for r in data.get("pyvrp", {}).get("instances", [])}
    print(
        "| instance | BKS veh | BKS distance | CareHub veh | distance | gap % | PyVRP veh | distance | gap % |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in ours:
        other = _cell(ref[r["name"]]) if r["name"] in ref else " | | "
        print(
            f"| {r['name']} | {r['bks_vehicles']} | {r['bks_distance']:.2f} | {_cell(r)} | {other} |"
        )
    print()
    print(
        "| solver | valid | vehicles (BKS 405) | above BKS | at BKS vehicle count | mean gap there |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("carehub", "pyvrp"):
        if name not in data:
            continue
        s = data[name]["summary"]
        above = 100 * (s["vehicles"] - s["bks_vehicles"]) / s["bks_vehicles"]
        print(
            f"| {name} | {s['valid']}/{s['instances']} | {s['vehicles']} | {above:.1f} % | "
            f"{s['at_bks_vehicles']} | {s['mean_gap_pct']} % |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
