"""The auditor's home page adds up entitlement with the subsidy module's own figures."""

from __future__ import annotations

import datetime as dt

from carehub.core.enums import CareLevel, Hardship, Role
from carehub.home.summaries import subsidy_overview
from carehub.subsidy.models import KIND_AGE_AMOUNT, SubsidyPolicy

DAY = dt.date(2026, 11, 22)


def test_default_care_level_policy_pays_eligible_elders(db, make) -> None:
    make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.DIBAO)
    make.elder(care_level=CareLevel.MILD, hardship=Hardship.TEKUN)
    make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.NONE)  # not eligible
    overview = subsidy_overview(db.session, DAY)
    assert overview.elders == 2 and overview.total_fen == 60000 + 20000


def test_an_age_band_policy_in_force_is_used(db, make) -> None:
    db.session.add(
        SubsidyPolicy(
            code="taian",
            name="泰安高龄津贴",
            kind=KIND_AGE_AMOUNT,
            effective_from=dt.date(2026, 1, 1),
            eligible_hardships=[],
            age_bands=[
                {"min_age": 60, "max_age": 79, "value": 8000},
                {"min_age": 80, "max_age": 89, "value": 10000},
            ],
            supplement=8000,
        )
    )
    make.elder(care_level=CareLevel.NONE, hardship=Hardship.NONE, birth_date=dt.date(1940, 1, 1))
    make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.NONE, birth_date=dt.date(1960, 1, 1))
    overview = subsidy_overview(db.session, DAY)
    # 86 years old: 100 yuan; 66 and unable to look after themselves: 80 + 80 yuan.
    assert overview.total_fen == 10000 + 16000


def test_auditor_home_shows_the_total(client, login_as, make, db) -> None:
    make.elder(care_level=CareLevel.MODERATE, hardship=Hardship.DIBAO)
    db.session.commit()
    login_as(Role.AUDITOR)
    assert "400.00" in client.get("/?lang=en").get_data(as_text=True)
