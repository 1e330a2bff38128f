"""A small district for emergency tests: an elder, first-aid caregivers around, a fixed clock."""

from __future__ import annotations

import datetime as dt

from carehub.core.enums import RequestOrigin
from carehub.dispatch.models import ServiceRequest
from carehub.emergency import services
from carehub.registry.models import Caregiver, Elder
from tests.builders import CENTRE, Builders

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
ELDER_AT = (CENTRE[0] + 0.002, CENTRE[1] + 0.002)


def near(metres_north: float) -> dict[str, float]:
    """A home this far north of the elder (about 111 km a degree)."""
    return {"home_lat": ELDER_AT[0] + metres_north / 111_000, "home_lon": ELDER_AT[1]}


def medic(make: Builders, metres: float, **kw: object) -> Caregiver:
    return make.caregiver(skills=("first_aid",), **near(metres), **kw)


def emergency(make: Builders, elder: Elder | None = None) -> ServiceRequest:
    request = services.raise_emergency(
        make.session, elder or make.elder(lat=ELDER_AT[0], lon=ELDER_AT[1]), "摔倒", NOW
    )
    assert request.origin == RequestOrigin.EMERGENCY
    return request
