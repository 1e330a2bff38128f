"""Turn the JSON written by bench/solomon.py into the Markdown tables of docs/benchmarks.md.

python bench/report.py bench-out.json [pyvrp-out.json] > table.md

A second file supplies the PyVRP side when it ran separately (bench/solomon.py --no-carehub).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _cell(r: dict) -> str:
    gap = "" if r["gap_pct"] is None else f"{r['gap_pct']:.2f}"
    ok = "" if r["valid"] else " (invalid)"
    return f"{r['vehicles']} | {r['distance']:.2f} | {gap}{ok}"


def _class(name: str) -> str:
    return name[:-2]


def _per_class(rows: list[dict]) -> dict[str, str]:
    out = {}
    for cls in sorted({_class(r["name"]) for r in rows}):
        mine = [r for r in rows if _class(r["name"]) == cls]
        gaps = [r["gap_pct"] for r in mine if r["gap_pct"] is not None]
        veh = sum(r["vehicles"] for r in mine)
        bks = sum(r["bks_vehicles"] for r in mine)
        gap = f"{sum(gaps) / len(gaps):.2f} % over {len(gaps)}" if gaps else "none at BKS"
        out[cls] = f"{veh} / {bks}, {gap}"
    return out


def main(path: str, reference: str | None = None) -> None:
    data = json.loads(Path(path).read_text())
    if reference is not None:
        data["pyvrp"] = json.loads(Path(reference).read_text())["pyvrp"]
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
    print()
    print("| class | CareHub | PyVRP |")
    print("| --- | --- | --- |")
    a = _per_class(ours)
    b = _per_class(list(ref.values())) if ref else {}
    for cls, cell in a.items():
        print(f"| {cls} | {cell} | {b.get(cls, '')} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
