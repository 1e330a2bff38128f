"""The demo district: Heping, Tianjin, with eight stations, 800 elders, caregivers staffed
for each station's demand (carehub.seeding.staff.teams), their care plans, two planted plans
nobody can serve (carehub.seeding.planted) and one login per role.

Everything is drawn from ``random.Random(seed)`` and dated from a fixed anchor (the first
day of the current month), so one seed always gives the same people, places and plans.
Rows are saved one by one so each gets its audit entry, as if entered by hand.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from sqlalchemy import select

from carehub.auth.models import User
from carehub.auth.services import create_user
from carehub.core import audit, weekdays
from carehub.core.enums import Role
from carehub.core.time import local_today
from carehub.db import AnySession
from carehub.geo.coverage import StationPoint
from carehub.geo.travel import TravelModel
from carehub.registry.models import (
    Caregiver,
    CarePlan,
    Elder,
    ElderStatusPeriod,
    ServiceType,
    Skill,
    Station,
)
from carehub.seeding import inputs, places, planted
from carehub.seeding.defaults import load_defaults
from carehub.seeding.drafts.names import NameBook
from carehub.seeding.drafts.people import (
    ElderDraft,
    address,
    draft_caregiver,
    draft_elder,
)
from carehub.seeding.drafts.plans import PlanDraft, draft_plans, plan_columns
from carehub.seeding.inputs import Block
from carehub.seeding.staff import teams

ELDERS = 800
BASE_TEAM = 3  # caregivers every station starts with; staffing adds what its demand needs
OUTSIDE_SHARE = 0.015  # elders placed beyond every circle, for the coverage report
MARKER_STATION = "HP01"  # present means the demo district is loaded
ELDER_PREFIX = "HPE"
CAREGIVER_PREFIX = "HPC"
# Half an hour's lunch between 11:30 and 13:30, inside every shift.
LUNCH = {"lunch_start": dt.time(11, 30), "lunch_end": dt.time(13, 30), "lunch_minutes": 30}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    display_name: str
    station_code: str | None = None  # scope of a station dispatcher
    caregiver_station: str | None = None  # a caregiver login takes this station's first


LOGINS = [
    DemoLogin("admin", "carehub-admin", Role.ADMIN, "系统管理员"),
    DemoLogin("dispatcher", "carehub-dispatch", Role.DISPATCHER, "区调度中心"),
    DemoLogin(
        "dispatcher_hp01", "carehub-station", Role.DISPATCHER, "劝业场站调度员", station_code="HP01"
    ),
    DemoLogin("auditor", "carehub-audit", Role.AUDITOR, "补贴审核员"),
    DemoLogin("caregiver1", "carehub-care1", Role.CAREGIVER, "", caregiver_station="HP01"),
    DemoLogin("caregiver2", "carehub-care2", Role.CAREGIVER, "", caregiver_station="HP02"),
    DemoLogin("caregiver3", "carehub-care3", Role.CAREGIVER, "", caregiver_station="HP03"),
]


@dataclass
class LoginStatus:
    login: DemoLogin
    state: str  # "created", "present", "password changed", "skipped: ..."
    scope: str


@dataclass
class DemoCounts:
    stations: int = 0
    elders: int = 0
    outside: int = 0
    caregivers: int = 0
    care_plans: int = 0
    planted: int = 0  # care plans nobody can serve, on purpose (carehub.seeding.planted)


def anchor_date() -> dt.date:
    """Plans and assessments are dated back from the first of this month (Shanghai time),
    so they are in force today while staying the same for a whole month."""
    return local_today().replace(day=1)


def is_loaded(session: AnySession) -> bool:
    return session.scalar(select(Station.id).where(Station.code == MARKER_STATION)) is not None


def load(session: AnySession, seed: int, model: TravelModel) -> DemoCounts:
    """Add the demo district; the caller commits. Call only when ``is_loaded`` is false."""
    rng = random.Random(seed)
    book = NameBook()
    anchor = anchor_date()
    counts = DemoCounts()
    load_defaults(session)
    stations = _stations(session)
    counts.stations = len(stations)
    homes_at: dict[int, list[tuple[float, float]]] = {s.id: [] for s in stations}
    plans_at: dict[int, list[tuple[PlanDraft, str | None]]] = {s.id: [] for s in stations}
    inside = _elders(session, rng, book, anchor, model, stations, homes_at, plans_at, counts)
    session.flush()
    _caregivers(session, rng, book, anchor, model, stations, inside, homes_at, plans_at, counts)
    session.flush()
    counts.planted = planted.plant(session, anchor)

    audit.record(
        session,
        "seed",
        "Demo",
        note=(
            f"demo district, seed {seed}: {counts.stations} stations, {counts.elders} elders, "
            f"{counts.caregivers} caregivers, {counts.care_plans} care plans"
        ),
    )
    return counts


def _stations(session: AnySession) -> list[Station]:
    stations = [
        Station(
            code=row.code,
            name=row.name,
            address=row.address,
            lat=row.lat,
            lon=row.lon,
            circle_minutes=15,
            phone=row.phone,
            provider=row.provider,
            district=row.district,
            active=True,
        )
        for row in inputs.demo_stations()
    ]
    session.add_all(stations)
    session.flush()
    return stations


def _elders(
    session: AnySession,
    rng: random.Random,
    book: NameBook,
    anchor: dt.date,
    model: TravelModel,
    stations: list[Station],
    homes_at: dict[int, list[tuple[float, float]]],
    plans_at: dict[int, list[tuple[PlanDraft, str | None]]],
    counts: DemoCounts,
) -> list[Block]:
    """The elders with their care plans, a few of them outside every circle; returns the
    blocks inside the circles, where caregivers live too."""
    points = [StationPoint(s.id, s.code, s.name, s.lat, s.lon, s.circle_minutes) for s in stations]
    blocks = inputs.demo_blocks()
    inside = [b for b in blocks if not b.outside]
    beyond = [b for b in blocks if b.outside]
    inside_cum = list(itertools.accumulate(b.weight for b in inside))
    n_outside = round(ELDERS * OUTSIDE_SHARE) if beyond else 0
    outside_at = set(rng.sample(range(ELDERS), n_outside))

    service_ids = {
        code: sid for sid, code in session.execute(select(ServiceType.id, ServiceType.code))
    }
    for i in range(ELDERS):
        want_outside = i in outside_at
        # Redraw the rare point that lands on the wrong side of a circle's edge.
        for _ in range(50):
            block = (
                rng.choice(beyond)
                if want_outside
                else rng.choices(inside, cum_weights=inside_cum)[0]
            )
            point = places.jitter(rng, (block.lat, block.lon), sigma_m=90, cap_m=180)
            nearby = places.nearest_stations(point, points, 3)
            station, covered = places.station_for(point, nearby, model)
            if covered != want_outside:
                break
        counts.outside += 0 if covered else 1
        draft = draft_elder(
            rng, book, anchor, f"{ELDER_PREFIX}{i + 1:04d}", point, address(rng, block)
        )
        elder = Elder(**draft.fields, station_id=station.id)
        homes_at[station.id].append(point)
        for status, start, end, note in draft.periods:
            elder.status_periods.append(
                ElderStatusPeriod(status=status, start_date=start, end_date=end, note=note)
            )
        session.add(elder)
        _care_plans(session, rng, anchor, draft, elder, service_ids, plans_at[station.id], counts)
    counts.elders = ELDERS
    return inside


def _care_plans(
    session: AnySession,
    rng: random.Random,
    anchor: dt.date,
    draft: ElderDraft,
    elder: Elder,
    service_ids: dict[str, int],
    station_plans: list[tuple[PlanDraft, str | None]],
    counts: DemoCounts,
) -> None:
    for plan in draft_plans(rng, draft.fields["care_level"], draft.fields["hardship"], anchor):
        if draft.fields["status"] == "active":
            station_plans.append((plan, draft.fields["preferred_caregiver_gender"]))
        session.add(CarePlan(elder=elder, **plan_columns(plan, service_ids)))
        counts.care_plans += 1


def _caregivers(
    session: AnySession,
    rng: random.Random,
    book: NameBook,
    anchor: dt.date,
    model: TravelModel,
    stations: list[Station],
    inside: list[Block],
    homes_at: dict[int, list[tuple[float, float]]],
    plans_at: dict[int, list[tuple[PlanDraft, str | None]]],
    counts: DemoCounts,
) -> None:
    """Each station's team, living near it, sized to its care plans' busiest days."""
    skills = {s.code: s for s in session.scalars(select(Skill))}
    services = teams.services(session)
    number = itertools.count(1)
    for site in stations:
        near = sorted(inside, key=lambda b: places.approx_m((b.lat, b.lon), (site.lat, site.lon)))[
            :4
        ]

        def hire(site: Station = site, near: list[Block] = near) -> teams.Draft:
            home_block = rng.choice(near)
            home = places.jitter(rng, (home_block.lat, home_block.lon), sigma_m=120, cap_m=250)
            fields, codes = draft_caregiver(
                rng, book, f"{CAREGIVER_PREFIX}{next(number):03d}", site.id, home
            )
            fields.update(LUNCH)
            return fields, codes

        team = teams.station_team(
            rng,
            hire,
            BASE_TEAM,
            plans_at[site.id],
            services,
            anchor,
            (site.lat, site.lon),
            homes_at[site.id],
            model,
        )
        for fields, codes in team:
            caregiver = Caregiver(**fields)
            caregiver.skills = [skills[code] for code in codes]
            session.add(caregiver)
            counts.caregivers += 1


def ensure_logins(session: AnySession) -> list[LoginStatus]:
    """Create whichever demo login is missing; never touch an existing account."""
    result: list[LoginStatus] = []
    for login in LOGINS:
        user = session.scalar(select(User).where(User.username == login.username))
        if user is not None:
            state = "present" if user.check_password(login.password) else "password changed"
            result.append(LoginStatus(login, state, _scope(user)))
            continue
        caregiver_code = None
        if login.caregiver_station:
            caregiver_code = _free_caregiver(session, login.caregiver_station)
            if caregiver_code is None:
                result.append(LoginStatus(login, "skipped: no free caregiver", ""))
                continue
        user = create_user(
            session,
            username=login.username,
            role=login.role,
            password=login.password,
            caregiver_code=caregiver_code,
            station_code=login.station_code,
            display_name=login.display_name,
        )
        if user.caregiver is not None:
            # A demo caregiver works every day, so the phone view has a route to show on
            # whichever day the demo is opened.
            user.caregiver.weekdays_mask = weekdays.ALL_DAYS
        result.append(LoginStatus(login, "created", _scope(user)))
    return result


def _free_caregiver(session: AnySession, station_code: str) -> str | None:
    """The first meal-trained caregiver of the station without an account yet."""
    taken = select(User.caregiver_id).where(User.caregiver_id.is_not(None))
    return session.scalar(
        select(Caregiver.code)
        .join(Station, Caregiver.station_id == Station.id)
        .where(
            Station.code == station_code,
            Caregiver.active.is_(True),
            Caregiver.skills.any(Skill.code == "meal"),
            Caregiver.id.not_in(taken),
        )
        .order_by(Caregiver.code)
        .limit(1)
    )


def _scope(user: User) -> str:
    if user.caregiver is not None:
        return f"{user.caregiver.code} {user.caregiver.name} @ {user.caregiver.station.code}"
    if user.station is not None:
        return f"station {user.station.code}"
    return "all stations" if user.role == Role.DISPATCHER else ""
