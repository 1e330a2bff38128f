"""What the browser tests share: Chromium settings, screen sizes, accounts, logging in, and
the planning tests' station day and run."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from carehub.core.enums import Role
from carehub.extensions import db
from carehub.registry.models import ServiceType
from tests.builders import CENTRE, Builders


@contextmanager
def app_settings(app: Any, **settings: Any) -> Iterator[None]:
    """The live server's ``settings`` for one test, the earlier values put back after it."""
    saved = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    try:
        yield
    finally:
        app.config.update(saved)


CHROMIUM = os.environ.get("CAREHUB_CHROMIUM", "/usr/bin/chromium")
# The background-networking flags matter: on a closed network Chromium's own update and
# sync connections are refused, which otherwise slows or breaks start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# Where the phone_page fixture's browser says it is, and where its tests put their elder.
HOME = (39.1195, 117.1970)
TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    display_name: str
    role: Role
    caregiver_code: str | None = None


def log_in(page: Any, account: Account) -> None:
    page.goto("/login")
    page.fill("#username", account.username)
    page.fill("#password", account.password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert urlsplit(page.url).path != "/login", page.inner_text("main")


@dataclass(frozen=True)
class StationDay:
    station_id: int
    request_ids: list[int]


def station_day(
    live_server: Any,
    code: str,
    day: dt.date,
    service_type: Callable[[Builders], ServiceType],
    visits: int,
    window: tuple[dt.time, dt.time],
    *,
    name: str | None = None,
    skills: tuple[str, ...] = ("meal",),
) -> StationDay:
    """A station ``code`` with one caregiver ``<code>1`` on every weekday and ``visits``
    elders in a row north of the centre, each with a request on ``day`` within ``window``
    for the service type ``service_type`` makes: a day for a planning test to plan."""
    with live_server.app.app_context():
        make = Builders(db.session)
        station = make.station(code=code, **({"name": name} if name else {}))
        kind = service_type(make)
        make.caregiver(station=station, skills=skills, code=f"{code}1", weekdays_mask=0b1111111)
        requests = [
            make.request(
                elder=make.elder(station=station, lat=CENTRE[0] + 0.003 * i, lon=CENTRE[1]),
                service_type=kind,
                service_date=day,
                window_start=window[0],
                window_end=window[1],
            )
            for i in range(visits)
        ]
        db.session.commit()
        made = StationDay(station.id, [r.id for r in requests])
        db.session.remove()
    return made


def start_planning_run(page: Any, day: dt.date | None = None, time_limit_s: int = 2) -> None:
    """On the open planning page: start a run (for ``day`` when given, else the page's
    date) and follow it to the run's page."""
    if day is not None:
        page.fill("#date", day.isoformat())
    page.fill("#time_limit", str(time_limit_s))
    page.click("#planning-form button.primary")
    page.wait_for_url("**/dispatch/planning/runs/*")


def put_on_call(make: Builders, carer: Any, home: tuple[float, float]) -> None:
    """The caregiver on shift whenever the test runs (every weekday, all day), with first
    aid, living at ``home``: the one an emergency nearby is offered to."""
    carer.skills = [make.skill("first_aid")]
    carer.weekdays_mask = 0b1111111
    carer.shift_start, carer.shift_end = dt.time(0, 0), dt.time(23, 59, 59)
    carer.home_lat, carer.home_lon = home


def first_visit_today(
    make: Builders, caregiver: Any, elder: Any, at: dt.time = dt.time(9, 0), **request: Any
) -> Any:
    """A published quarter-hour visit to ``elder`` at ``at`` today (Shanghai), first on the
    caregiver's route: what the phone page shows the caregiver."""
    from carehub.core.enums import VisitStatus
    from carehub.core.time import local_to_utc, local_today

    start = local_to_utc(local_today(), at)
    return make.visit(
        caregiver=caregiver,
        status=VisitStatus.PUBLISHED,
        planned_start=start,
        planned_end=start + dt.timedelta(minutes=15),
        route_seq=1,
        request=make.request(elder=elder, service_date=local_today(), **request),
    )
