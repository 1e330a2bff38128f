"""A care-level policy's terms for the entitlement tests: 200, 400 and 600 yuan a month
for mild, moderate and severe elders on dibao, from 2020 on; ``kw`` changes any field."""

from __future__ import annotations

import datetime as dt

from carehub.subsidy.policy.entitlement import PolicyTerms


def policy_terms(**kw: object) -> PolicyTerms:
    fields: dict[str, object] = dict(
        id=1,
        kind="care_level_amount",
        effective_from=dt.date(2020, 1, 1),
        effective_to=None,
        eligible_hardships=frozenset({"dibao"}),
        amounts={"mild": 20000, "moderate": 40000, "severe": 60000},
        age_bands=(),
        supplement=0,
        hour_value_fen=0,
        carry_over=False,
    )
    fields.update(kw)
    return PolicyTerms(**fields)  # type: ignore[arg-type]
