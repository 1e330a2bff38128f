"""What an auditor needs to judge a flagged visit: where it was checked in and out against
the elder's home, its times, and the caregiver's other visits that day."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import select

from carehub.db import AnySession
from carehub.dispatch.models import ServiceRequest, Visit
from carehub.subsidy.reconciliation.rules import LatLon, distance_m


@dataclass
class Point:
    label: str
    css: str
    where: LatLon


def map_svg(home: LatLon | None, radius_m: float, points: list[Point], title: str) -> Markup:
    """A local plan in metres around the home: the allowed circle and each fix."""
    if home is None:
        return Markup("")
    size, pad = 320, 24
    centre_lat = math.radians(home[0])

    def metres(p: LatLon) -> tuple[float, float]:
        return (
            (p[1] - home[1]) * 111_320 * math.cos(centre_lat),
            (p[0] - home[0]) * 110_540,
        )

    reach = max([radius_m * 1.3, *(math.hypot(*metres(p.where)) * 1.15 for p in points)])
    scale = (size / 2 - pad) / reach

    def xy(p: LatLon) -> tuple[float, float]:
        dx, dy = metres(p)
        return size / 2 + dx * scale, size / 2 - dy * scale

    c = size / 2
    parts = [
        f'<svg class="evidence-map" role="img" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<circle cx="{c}" cy="{c}" r="{radius_m * scale:.1f}" class="allowed"/>',
        f'<rect x="{c - 6}" y="{c - 6}" width="12" height="12" class="home"/>',
    ]
    for point in points:
        x, y = xy(point.where)
        far = distance_m(point.where, home)
        parts.append(
            f'<line x1="{c}" y1="{c}" x2="{x:.1f}" y2="{y:.1f}" class="reach"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="{point.css}"/>'
            f'<text x="{x + 9:.1f}" y="{y + 4:.1f}">{escape(point.label)} {far:.0f} m</text>'
        )
    bar = 100 if reach > 150 else 20
    parts.append(
        f'<line x1="{pad}" y1="{size - 10}" x2="{pad + bar * scale:.1f}" y2="{size - 10}" class="scale"/>'
        f'<text x="{pad}" y="{size - 14}">{bar} m</text></svg>'
    )
    return Markup("".join(parts))


def same_day_visits(session: AnySession, visit: Visit) -> list[Visit]:
    if visit.caregiver_id is None:
        return []
    return list(
        session.scalars(
            select(Visit)
            .join(ServiceRequest, Visit.request_id == ServiceRequest.id)
            .where(
                Visit.caregiver_id == visit.caregiver_id,
                ServiceRequest.service_date == visit.request.service_date,
            )
            .order_by(Visit.check_in_at, Visit.planned_start, Visit.id)
        )
    )
