"""The synthetic district day: its load is calibrated and its infeasible visits are known."""

from __future__ import annotations

import json

import pytest

from carehub.routing.screen import screen
from carehub_bench import bench_day


def test_loaded_day_scales_service_and_marks_its_infeasible_visits() -> None:
    day = bench_day.generate(200, 16, seed=3, load=0.3, infeasible=4)
    p = day.problem
    service = sum(v.service * v.caregivers_needed for v in p.visits)
    shifts = sum(c.shift_end - c.shift_start for c in p.caregivers)
    assert 0.25 <= service / shifts <= 0.35
    assert min(v.service for v in p.visits) >= 300
    rejected = screen(p).rejected
    assert set(rejected) == {v.id for v in p.visits[-4:]}
    for station in set(day.circles.caregiver_circle.values()):
        team = [c for c in p.caregivers if day.circles.caregiver_circle[c.id] == station]
        assert all(sum(s in c.skills for c in team) >= 2 for s in ("bathing", "nursing"))


def test_day_run_accounts_for_every_visit() -> None:
    day = bench_day.generate(40, 8, seed=1, load=0.2, infeasible=2)
    out = bench_day.day_run(day, 2.0)
    assert out["violations"] == 0
    assert sum(out["infeasible"].values()) == 2
    left = len(out["left_feasible"])
    assert out["assigned"] + 2 + left == 40
    assert out["all_feasible_assigned"] == (left == 0)


def test_load_and_infeasible_are_checked() -> None:
    with pytest.raises(ValueError, match="load"):
        bench_day.generate(10, 2, seed=1, load=1.5)
    with pytest.raises(ValueError, match="infeasible"):
        bench_day.generate(10, 2, seed=1, infeasible=11)


def test_references_are_stored_and_reused_only_by_the_same_code(tmp_path) -> None:
    path = tmp_path / "refs.json"
    first = bench_day.compare(40, 8, [1], 1.0, 1.5, 0.2, 2, references=path)
    ref = first["runs"][0]["reference"]  # type: ignore[index]
    assert ref["stored"] is False and ref["time_limit_s"] == 1.5
    again = bench_day.compare(40, 8, [1], 1.0, 1.5, 0.2, 2, references=path)
    assert again["runs"][0]["reference"] == {**ref, "stored": True}  # type: ignore[index]
    assert again["code"] == bench_day.code_version()
    # Stored by other code: computed again, and the file then holds this code's run.
    stale = json.loads(path.read_text())
    path.write_text(json.dumps({**stale, "code": "other"}))
    third = bench_day.compare(40, 8, [1], 1.0, 1.5, 0.2, 2, references=path)
    assert third["runs"][0]["reference"]["stored"] is False  # type: ignore[index]
    assert json.loads(path.read_text())["code"] == bench_day.code_version()


def test_the_fingerprint_ignores_comments_and_docstrings_but_not_code(tmp_path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Doc."""\n\n\ndef f(x):\n    """Doc."""\n    return x + 1\n')
    before = bench_day.code_version([tmp_path])
    module.write_text('"""Reworded."""\n\n\ndef f(x):  # why\n    """Other."""\n    return x + 1\n')
    assert bench_day.code_version([tmp_path]) == before
    module.write_text('"""Reworded."""\n\n\ndef f(x):\n    return x + 2\n')
    assert bench_day.code_version([tmp_path]) != before


def test_the_fingerprint_reads_sub_packages_by_their_path(tmp_path) -> None:
    sub = tmp_path / "search"
    sub.mkdir()
    (tmp_path / "top.py").write_text("X = 1\n")
    module = sub / "m.py"
    module.write_text("def f(x):\n    return x + 1\n")
    before = bench_day.code_version([tmp_path])
    module.write_text("def f(x):\n    return x + 2\n")
    assert bench_day.code_version([tmp_path]) != before
    # The same module in another sub-package is other code.
    module.write_text("def f(x):\n    return x + 1\n")
    (tmp_path / "repair").mkdir()
    module.rename(tmp_path / "repair" / "m.py")
    assert bench_day.code_version([tmp_path]) != before
