"""The default policy pays Tianjin's seven hardship categories, and the list stays the
policy's to change."""

from __future__ import annotations

import pytest

from carehub.core.enums import CareLevel, Hardship
from carehub.subsidy.models import SubsidyPolicy
from carehub.subsidy.months import Month
from carehub.subsidy.reconciliation import reconcile as rc

NOV = Month(2026, 11)


def _entitlement(db, elder) -> int:  # type: ignore[no-untyped-def]
    lines = rc.reconcile(db.session, NOV).elders
    return next((line.entitlement_fen for line in lines if line.elder_id == elder.id), 0)


@pytest.mark.parametrize(
    "hardship",
    [
        Hardship.DIBAO,
        Hardship.LOW_INCOME,
        Hardship.TEKUN,
        Hardship.DISABLED,
        Hardship.YOUFU,
        Hardship.CHILDLESS_80,
        Hardship.ONLY_CHILD_80,
    ],
)
def test_each_of_the_seven_categories_is_paid_by_default(make, db, hardship: Hardship) -> None:  # type: ignore[no-untyped-def]
    elder = make.elder(care_level=CareLevel.SEVERE, hardship=hardship)
    db.session.commit()
    assert _entitlement(db, elder) == 60000


def test_an_elder_in_no_category_is_not_paid(make, db) -> None:  # type: ignore[no-untyped-def]
    elder = make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.NONE)
    db.session.commit()
    assert _entitlement(db, elder) == 0


def test_a_policy_can_narrow_the_list(make, db) -> None:  # type: ignore[no-untyped-def]
    policy = db.session.query(SubsidyPolicy).one()
    policy.eligible_hardships = [Hardship.DIBAO.value]
    disabled = make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.DISABLED)
    dibao = make.elder(care_level=CareLevel.SEVERE, hardship=Hardship.DIBAO)
    db.session.commit()
    assert (_entitlement(db, disabled), _entitlement(db, dibao)) == (0, 60000)
