"""Assessments through the web pages: an assessor scores an elder, the care level and its
history follow, the month's entitlement splits at the change; the level cannot change
otherwise except by an administrator's override with a reason; the due list."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from carehub.assessment import services, standard
from carehub.core.audit import AuditLog
from carehub.core.enums import CareLevel, ElderStatus, Hardship, Role
from carehub.core.errors import FieldError
from carehub.registry.assessments import Assessment
from carehub.registry.models import ElderStatusPeriod
from carehub.subsidy.models import SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import reconcile as rc

# 10:00 in Shanghai on Monday 16 November 2026.
NOW = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 16)
FORM, _DOC = standard.load()


@pytest.fixture(autouse=True)
def fixed_clock(app: Flask, client: FlaskClient) -> None:
    app.config["CLOCK"] = lambda: NOW
    client.get("/lang/en")


def scores_totalling(total: int) -> dict[str, str]:
    left = total
    found = {}
    for item in FORM.items():
        value = min(item.max, left)
        left -= value
        found[f"item_{item.code}"] = str(value)
    return found


def post_assessment(client: FlaskClient, elder_id: int, total: int, **extra: str):
    data = {
        **scores_totalling(total),
        "assessed_on": TODAY.isoformat(),
        "place": "home",
        "signed_name": "Wang Fang",
        "confirm": "y",
        **extra,
    }
    return client.post(f"/assessments/elders/{elder_id}/new", data=data)


def test_an_assessment_sets_the_level_and_is_signed_and_audited(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = make.elder(care_level=CareLevel.MILD, hardship=Hardship.DIBAO)
    db.session.commit()
    assessor = login_as(Role.ASSESSOR)
    response = post_assessment(client, elder.id, 40)  # 30-45: severely impaired
    assert response.status_code == 302
    db.session.refresh(elder)
    assert elder.care_level == CareLevel.SEVERE
    assert elder.care_level_assessed_on == TODAY
    entry = db.session.query(Assessment).one()
    assert (entry.total, entry.ability_level, entry.care_level) == (40, "severe", "severe")
    assert entry.indicator_scores == {
        "self_care": 32,
        "motor": 8,
        "mental": 0,
        "perception_social": 0,
    }
    assert (entry.signed_by_id, entry.signed_name, entry.place) == (
        assessor.id,
        "Wang Fang",
        "home",
    )
    assert entry.previous_care_level == "mild"
    logged = db.session.query(AuditLog).filter_by(entity_type="Assessment").one()
    assert logged.user_id == assessor.id
    page = client.get(f"/assessments/elders/{elder.id}").get_data(as_text=True)
    assert "Severely impaired" in page and "Wang Fang" in page


def test_an_unsigned_assessment_is_refused_and_nothing_is_written(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    login_as(Role.ASSESSOR)
    response = post_assessment(client, elder.id, 40, confirm="")
    assert response.status_code == 422
    assert "Confirm that you did this assessment." in response.get_data(as_text=True)
    assert db.session.query(Assessment).count() == 0


def test_a_missing_score_is_named_and_nothing_is_written(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = make.elder()
    db.session.commit()
    login_as(Role.ASSESSOR)
    response = post_assessment(client, elder.id, 40, item_stairs="")
    assert response.status_code == 422
    assert "上下楼梯" in response.get_data(as_text=True)
    assert db.session.query(Assessment).count() == 0


def test_a_score_above_the_items_range_is_refused(client: FlaskClient, login_as, make, db) -> None:
    elder = make.elder()
    db.session.commit()
    login_as(Role.ASSESSOR)
    response = post_assessment(client, elder.id, 40, item_stairs="4")
    assert response.status_code == 422
    assert "stairs" in response.get_data(as_text=True)
    assert db.session.query(Assessment).count() == 0


def test_only_assessors_enter_assessments(client: FlaskClient, login_as, make, db) -> None:
    elder = make.elder()
    db.session.commit()
    login_as(Role.DISPATCHER)
    assert post_assessment(client, elder.id, 40).status_code == 403


def test_the_edit_form_cannot_change_the_care_level(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    elder.care_level = CareLevel.SEVERE
    with pytest.raises(FieldError, match="care level"):
        db.session.flush()
    db.session.rollback()


def test_other_edits_of_the_elder_still_save(make, db) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    elder.notes = "likes tea"
    db.session.commit()
    assert elder.care_level == CareLevel.MILD


def test_an_override_needs_a_reason(client: FlaskClient, login_as, make, db) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    login_as(Role.ADMIN)
    data = {"care_level": "moderate", "effective_from": TODAY.isoformat(), "reason": " "}
    refused = client.post(f"/assessments/elders/{elder.id}/override", data=data)
    assert refused.status_code == 422
    db.session.refresh(elder)
    assert elder.care_level == CareLevel.MILD
    data["reason"] = "Assessment centre's paper record, entered late"
    assert client.post(f"/assessments/elders/{elder.id}/override", data=data).status_code == 302
    db.session.refresh(elder)
    assert elder.care_level == CareLevel.MODERATE
    entry = db.session.query(Assessment).one()
    assert (entry.kind, entry.ability_level) == ("override", None)


def test_a_level_change_splits_the_subsidy_month(client: FlaskClient, login_as, make, db) -> None:
    elder = make.elder(care_level=CareLevel.MILD, hardship=Hardship.DIBAO)
    db.session.commit()
    login_as(Role.ASSESSOR)
    assert post_assessment(client, elder.id, 50).status_code == 302  # moderate from the 16th
    line = next(
        line
        for line in rc.reconcile(db.session, Month(2026, 11)).elders
        if line.elder_id == elder.id
    )
    # 15 days mild (200 yuan) and 15 days moderate (400 yuan) of 30: 300 yuan.
    assert line.entitlement_fen == 30000
    assert line.care_level == "moderate"
    december = rc.reconcile(db.session, Month(2026, 12)).elders
    assert next(x for x in december if x.elder_id == elder.id).entitlement_fen == 40000


def test_the_policy_maps_levels_to_tiers(client: FlaskClient, login_as, make, db) -> None:
    policy = db.session.query(SubsidyPolicy).one()
    policy.level_tiers = {"complete": "moderate"}
    elder = make.elder(care_level=CareLevel.NONE, hardship=Hardship.DIBAO)
    db.session.commit()
    login_as(Role.ASSESSOR)
    assert post_assessment(client, elder.id, 10).status_code == 302  # completely lost
    db.session.refresh(elder)
    assert elder.care_level == CareLevel.MODERATE


def test_the_due_list(client: FlaskClient, login_as, make, db) -> None:
    never = make.elder(code="E-NEVER", care_level_assessed_on=None)
    recent = make.elder(code="E-RECENT", care_level_assessed_on=dt.date(2026, 5, 1))
    yearly = make.elder(code="E-YEARLY", care_level_assessed_on=dt.date(2025, 12, 10))
    back = make.elder(code="E-BACK", care_level_assessed_on=dt.date(2026, 6, 1))
    db.session.add(
        ElderStatusPeriod(
            elder_id=back.id,
            status=ElderStatus.HOSPITALISED,
            start_date=dt.date(2026, 10, 1),
            end_date=dt.date(2026, 10, 20),
        )
    )
    flagged = make.elder(code="E-FLAGGED", care_level_assessed_on=dt.date(2026, 9, 1))
    gone = make.elder(code="E-GONE", status=ElderStatus.DECEASED)
    user = make.user(Role.CAREGIVER)
    db.session.commit()
    services.flag(db.session, flagged, "fell twice this week", user.id, TODAY)
    db.session.commit()
    due = {d.elder.code: d for d in services.due_list(db.session, TODAY, 12, 30)}
    assert set(due) == {"E-NEVER", "E-YEARLY", "E-BACK", "E-FLAGGED"}
    assert (due["E-NEVER"].reason, due["E-NEVER"].due_on) == ("never", TODAY)
    assert (due["E-YEARLY"].reason, due["E-YEARLY"].due_on) == ("interval", dt.date(2026, 12, 10))
    assert (due["E-BACK"].reason, due["E-BACK"].due_on) == ("discharge", dt.date(2026, 10, 21))
    assert due["E-FLAGGED"].reason == "flag"
    assert recent.code not in due and gone.code not in due and never.code in due
    # Twelve months is a setting: at six, the May assessment is due in November.
    assert "E-RECENT" in {d.elder.code for d in services.due_list(db.session, TODAY, 6, 30)}
    assert yearly.code in due


def test_an_assessment_settles_the_flag(client: FlaskClient, login_as, make, db) -> None:
    elder = make.elder(care_level_assessed_on=dt.date(2026, 9, 1))
    db.session.commit()
    login_as(Role.DISPATCHER)
    client.post(f"/assessments/elders/{elder.id}/flag", data={"note": "can no longer cook"})
    assert [d.elder.id for d in services.due_list(db.session, TODAY, 12, 30)] == [elder.id]
    client.post("/logout")
    login_as(Role.ASSESSOR)
    page = client.get("/").get_data(as_text=True)
    assert "Change flagged" in page and f"/assessments/elders/{elder.id}/new" in page
    assert post_assessment(client, elder.id, 70).status_code == 302
    assert services.due_list(db.session, TODAY, 12, 30) == []


def test_an_administrator_sets_a_policys_tiers_on_the_policy_form(
    client: FlaskClient, login_as, db
) -> None:
    login_as(Role.ADMIN)
    data = {
        "code": "TJ-2027",
        "name": "Tianjin 2027",
        "kind": "care_level_amount",
        "effective_from": "2027-01-01",
        "eligible_hardships": ["dibao", "disabled"],
        "amount_mild": "200",
        "amount_moderate": "400",
        "amount_severe": "600",
        "supplement": "0",
        "hour_value": "0",
        "tier_intact": "none",
        "tier_mild": "none",
        "tier_moderate": "mild",
        "tier_severe": "moderate",
        "tier_complete": "severe",
    }
    response = client.post("/subsidy/policies/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    policy = db.session.query(SubsidyPolicy).filter_by(code="TJ-2027").one()
    assert policy.level_tiers == {
        "intact": "none",
        "mild": "none",
        "moderate": "mild",
        "severe": "moderate",
        "complete": "severe",
    }
    page = client.get("/subsidy/policies").get_data(as_text=True)
    assert "Moderately impaired → Mild" in page


def test_a_tier_outside_the_list_is_refused(client: FlaskClient, login_as, db) -> None:
    login_as(Role.ADMIN)
    data = {
        "code": "TJ-BAD",
        "name": "bad",
        "kind": "care_level_amount",
        "effective_from": "2027-01-01",
        "supplement": "0",
        "tier_complete": "platinum",
    }
    assert client.post("/subsidy/policies/new", data=data).status_code == 422
    assert db.session.query(SubsidyPolicy).filter_by(code="TJ-BAD").count() == 0


def _edit_form(elder, **changes: str) -> dict[str, str]:
    data = {
        "code": elder.code,
        "name": elder.name,
        "gender": str(elder.gender),
        "station_id": str(elder.station_id),
        "care_level": str(elder.care_level),
        "hardship": str(elder.hardship),
        "status": str(elder.status),
        "preferred_caregiver_gender": "",
        "lat": str(elder.lat),
        "lon": str(elder.lon),
    }
    data.update(changes)
    return data


def test_the_elder_edit_page_names_the_care_level_and_saves_nothing(
    client: FlaskClient, login_as, make, db
) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    login_as(Role.ADMIN)
    response = client.post(
        f"/registry/elders/{elder.id}/edit",
        data=_edit_form(elder, care_level="severe", name="改了名字"),
    )
    assert response.status_code == 422
    assert "changes only through an assessment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (elder.care_level, elder.name) == (CareLevel.MILD, elder.name)
    assert elder.name != "改了名字"


def test_the_elder_edit_page_saves_other_changes(client: FlaskClient, login_as, make, db) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    login_as(Role.ADMIN)
    response = client.post(
        f"/registry/elders/{elder.id}/edit", data=_edit_form(elder, name="改了名字")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert elder.name == "改了名字"


def test_a_caregiver_flags_elders_of_their_own_station_only(
    client: FlaskClient, login_as, make, db
) -> None:
    user = login_as(Role.CAREGIVER)
    mine = make.elder(station=user.caregiver.station)
    other = make.elder()
    db.session.commit()
    note = {"note": "short of breath on the stairs"}
    assert client.post(f"/assessments/elders/{other.id}/flag", data=note).status_code == 404
    assert client.post(f"/assessments/elders/{mine.id}/flag", data=note).status_code == 302
    assert [f.elder_id for f in services.open_flags(db.session, mine.id)] == [mine.id]
    assert services.open_flags(db.session, other.id) == []


def test_a_new_form_version_is_loaded_from_its_file_and_used(
    app: Flask, client: FlaskClient, login_as, make, db, tmp_path
) -> None:
    import json

    from carehub.cli import main

    runner = app.test_cli_runner()
    doc = json.loads(standard.DEFAULT_FILE.read_text(encoding="utf-8"))
    doc["version"] = "2022-tj"
    doc["bands"][1]["min"] = 60  # a city that grades 60-89 as mildly impaired
    doc["bands"][2]["max"] = 59
    good = tmp_path / "tj.json"
    good.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    doc["bands"][2]["max"] = 58  # leaves 59 in no band
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(main, ["assessments", "load-form", str(bad)])
    assert refused.exit_code != 0 and "bands" in refused.output
    loaded = runner.invoke(main, ["assessments", "load-form", str(good)])
    assert loaded.exit_code == 0, loaded.output
    elder = make.elder(care_level=CareLevel.MODERATE)
    db.session.commit()
    login_as(Role.ASSESSOR)
    assert post_assessment(client, elder.id, 62).status_code == 302
    entry = db.session.query(Assessment).one()
    assert (entry.form.version, entry.ability_level) == ("2022-tj", "mild")


def test_an_override_cannot_start_in_the_future(make, db) -> None:
    elder = make.elder(care_level=CareLevel.MILD)
    db.session.commit()
    who = services.Signature(None, "admin")
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(FieldError, match="future"):
        services.override(db.session, elder, CareLevel.SEVERE, tomorrow, "why", who, TODAY)
    db.session.rollback()
    services.override(db.session, elder, CareLevel.SEVERE, TODAY, "why", who, TODAY)
    db.session.commit()
    assert elder.care_level == CareLevel.SEVERE


def test_a_pending_level_change_is_still_refused_when_an_assessment_is_saved(make, db) -> None:
    sneaky, assessed = make.elder(care_level=CareLevel.MILD), make.elder()
    db.session.commit()
    sneaky.care_level = CareLevel.SEVERE
    who = services.Signature(None, "admin")
    with pytest.raises(FieldError, match="care level"):
        services.override(db.session, assessed, CareLevel.SEVERE, TODAY, "why", who, TODAY)
    db.session.rollback()
