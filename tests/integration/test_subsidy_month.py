"""Planted fraud is caught, the figures agree, and a locked month cannot be changed."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carehub.cli import main
from carehub.core.enums import ElderStatus, Role
from carehub.registry.models import ElderStatusPeriod
from carehub.subsidy.months import Month as M
from carehub.subsidy.reconciliation.reconcile import reconcile
from tests.integration.subsidy_support import NOW, october

OCT = M(2026, 10)


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"CLOCK": lambda: NOW}


@pytest.fixture
def month(make, db):  # type: ignore[no-untyped-def]
    return october(make, db)


def test_every_planted_case_is_flagged_and_no_clean_visit_is(month, db) -> None:  # type: ignore[no-untyped-def]
    result = reconcile(db.session, OCT)
    expected = {
        "far_from_home": "far_from_home",
        "too_short": "too_short",
        "overlap_a": "overlap",
        "overlap_b": "overlap",
        "after_death": "elder_inactive",
        "duplicate": "duplicate",
        "reused_a": "reused_fix",
        "reused_b": "reused_fix",
    }
    for name, reason in expected.items():
        outcome = result.visits[month.planted[name].id]
        assert outcome.status == "flagged", name
        assert reason in outcome.reasons, (name, outcome.reasons)
    for visit in month.clean:
        assert result.visits[visit.id].status == "verified", result.visits[visit.id].reasons


def test_figures_agree_from_elder_to_station_to_total(month, db) -> None:  # type: ignore[no-untyped-def]
    result = reconcile(db.session, OCT)
    totals = result.totals()
    for name in ("entitlement_fen", "verified_fen", "payable_fen", "flagged_fen"):
        assert totals.fen[name] == sum(getattr(line, name) for line in result.elders)
        assert totals.fen[name] == sum(s.fen[name] for s in result.by_station())
        assert totals.fen[name] == sum(p.fen[name] for p in result.by_provider())
    # Six moderate dibao elders at 400 yuan; the deceased one from the 18th: 17 of 31 days.
    assert totals.entitlement_fen == 5 * 40000 + 40000 * 17 // 31


def test_cli_reconcile_json_has_the_issue_shape(app: Flask, month) -> None:  # type: ignore[no-untyped-def]
    out = app.test_cli_runner().invoke(main, ["reconcile", "--month", "2026-10", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"month", "elders", "stations", "totals"}
    assert set(data["elders"][0]) == {
        "elder_code",
        "entitlement_fen",
        "verified_fen",
        "payable_fen",
        "excess_fen",
        "unused_fen",
        "flagged_fen",
        "visits",
    }
    assert set(data["elders"][0]["visits"]) == {"verified", "flagged", "rejected"}
    assert data["totals"]["payable_fen"] == sum(e["payable_fen"] for e in data["elders"])
    only = app.test_cli_runner().invoke(
        main, ["reconcile", "--month", "2026-10", "--station", "STS", "--json"]
    )
    assert {e["elder_code"] for e in json.loads(only.output)["elders"]} == {"EL4", "EL5"}


def test_auditor_reviews_then_locks_and_nothing_changes_the_locked_month(
    month, db, client: FlaskClient, login_as, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    short = month.planted["too_short"]
    page = client.get(f"/subsidy/visits/{short.id}")
    assert page.status_code == 200 and b"<svg" in page.data
    assert (
        client.post(f"/subsidy/visits/{short.id}/review", data={"decision": "approved"}).status_code
        == 303
    )
    assert reconcile(db.session, OCT).visits[short.id].status == "flagged"  # no reason: refused
    client.post(
        f"/subsidy/visits/{short.id}/review", data={"decision": "approved", "reason": "电话核实"}
    )
    assert reconcile(db.session, OCT).visits[short.id].status == "verified"
    far = month.planted["far_from_home"]
    client.post(
        "/subsidy/2026-10/bulk",
        data={"visit_ids": [far.id], "decision": "rejected", "reason": "定位异常"},
    )
    assert reconcile(db.session, OCT).visits[far.id].status == "rejected"

    assert client.post("/subsidy/2026-10/lock", data={"confirm": "1"}).status_code == 303
    before = reconcile(db.session, OCT).as_json()
    assert reconcile(db.session, OCT).locked

    # Every way in: a review of a visit, a bulk action, a relock, an auditor's unlock,
    # an elder's status, a catalogue price, a new policy, an import into the month.
    dup = month.planted["duplicate"]
    client.post(f"/subsidy/visits/{dup.id}/review", data={"decision": "approved", "reason": "补录"})
    client.post(
        "/subsidy/2026-10/bulk", data={"visit_ids": [far.id], "decision": "approved", "reason": "x"}
    )
    client.post("/subsidy/2026-10/lock", data={"confirm": "1"})
    assert client.post("/subsidy/2026-10/unlock", data={"reason": "x"}).status_code == 403
    elder = month.elders[0]
    db.session.add(
        ElderStatusPeriod(elder=elder, status=ElderStatus.HOSPITALISED, start_date=OCT.first)
    )
    month.planted["too_short"].request.service_type.price_fen = 99999
    db.session.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(main, ["import", "visits", str(_visits_file(app, "EL1"))])
    assert out.exit_code != 0 and "check_in_at: 2026-10" in out.output
    assert reconcile(db.session, OCT).as_json() == before

    # The corrections went to November as audited adjustments.
    nov = reconcile(db.session, M(2026, 11))
    assert sum(nov.adjustments.values()) == 800 + 800  # the duplicate and the far visit
    summary = client.get("/subsidy/2026-11")
    assert summary.status_code == 200


def test_admin_unlocks_with_a_reason(month, db, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.ADMIN)
    client.post("/subsidy/2026-10/lock", data={"confirm": "1"})
    assert reconcile(db.session, OCT).locked
    client.post("/subsidy/2026-10/unlock", data={"reason": ""})
    assert reconcile(db.session, OCT).locked
    client.post("/subsidy/2026-10/unlock", data={"reason": "财政局要求重新核对"})
    assert not reconcile(db.session, OCT).locked


def test_pages_and_exports(month, client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    for url in (
        "/subsidy/",
        "/subsidy/2026-10",
        "/subsidy/2026-10/flagged",
        "/subsidy/2026-10/flagged?reason=overlap",
        "/subsidy/2026-10/summary",
        "/subsidy/policies",
    ):
        assert client.get(url).status_code == 200, url
    csv = client.get("/subsidy/2026-10/export/stations.csv?layout=data").data.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("month,station_code")
    assert "TOTAL" in csv
    # The default is the finance bureau's report: Chinese headers, names, words and yuan.
    report = client.get("/subsidy/2026-10/export/elders.csv").data.decode("utf-8-sig")
    lines = report.splitlines()
    assert lines[0].startswith("月份,老人编号,老人,") and "应付金额（元）" in lines[0]
    assert not any(c.isascii() and c.isalpha() for c in lines[0]), lines[0]
    elder = month.elders[0]
    row = next(line for line in lines if elder.code in line)
    assert elder.name in row and "mild" not in row and "moderate" not in row
    assert re.search(r",\d+\.\d\d,", row), row  # yuan with two places, not fen
    stations = client.get("/subsidy/2026-10/export/stations.csv").data.decode("utf-8-sig")
    assert "合计" in stations and "TOTAL" not in stations
    xlsx = client.get("/subsidy/2026-10/export/elders.xlsx")
    assert xlsx.data[:2] == b"PK"
    assert client.get("/subsidy/2026-13").status_code == 404
    assert client.get("/subsidy/2026-10/export/elders.pdf").status_code == 404


def _visits_file(app: Flask, elder_code: str):  # type: ignore[no-untyped-def]
    from pathlib import Path

    path = Path(app.instance_path).parent / "tmp-visits.csv"
    path = Path(app.config.get("TMP_DIR", "/tmp")) / f"subsidy-visits-{elder_code}.csv"
    path.write_text(
        "elder_code,caregiver_code,service_code,check_in_at,check_out_at,"
        "check_in_lat,check_in_lon,check_out_lat,check_out_lon\n"
        f"{elder_code},C0001,meal_delivery,2026-10-05T11:00:00+08:00,2026-10-05T11:20:00+08:00,"
        "39.12,117.20,39.12,117.20\n",
        encoding="utf-8",
    )
    return path


def test_locking_asks_first_and_names_the_unreviewed_visits(
    month, db, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR)
    result = reconcile(db.session, OCT)
    pending = [o for o in result.visits.values() if o.status == "flagged"]
    assert pending
    # A bare POST (the old one-click lock) locks nothing.
    assert client.post("/subsidy/2026-10/lock").status_code == 303
    assert not reconcile(db.session, OCT).locked
    month_page = client.get("/subsidy/2026-10").get_data(as_text=True)
    assert 'id="lock-month" href="/subsidy/2026-10/lock"' in month_page
    page = client.get("/subsidy/2026-10/lock").get_data(as_text=True)
    from carehub.web import yuan

    assert 'id="lock-warning"' in page and yuan(sum(o.value_fen for o in pending)) in page
    assert page.count("/subsidy/visits/") >= len(pending)
    assert client.post("/subsidy/2026-10/lock", data={"confirm": "1"}).status_code == 303
    assert reconcile(db.session, OCT).locked


def test_the_month_names_elders_and_the_header_names_the_role_once(
    month, client: FlaskClient, login_as
) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.AUDITOR, display_name="补贴审核员")
    page = client.get("/subsidy/2026-10").get_data(as_text=True)
    elder = month.elders[0]
    assert f">{elder.name}</a>" in page
    assert "补贴审核员 · 补贴审核员" not in page and "补贴审核员" in page
