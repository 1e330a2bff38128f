"""Stations: code, name, address and the coordinates the service circle is drawn from."""

from __future__ import annotations

from typing import Any

from carehub.registry.imports.entity import Entity, Report, coordinates
from carehub.registry.imports.fields import Column, Decimal, Text, Whole
from carehub.registry.models import Station


class Stations(Entity):
    name = "stations"
    model = Station
    columns = (
        Column("code", Text(40)),
        Column("name", Text(120)),
        Column("address", Text(255), blank=""),
        Column("lat", Decimal()),
        Column("lon", Decimal()),
        Column("circle_minutes", Whole(1, 120), required=False, blank=15),
        Column("phone", Text(40), required=False, blank=None),
        Column("provider", Text(120), required=False, blank=None),
    )

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        coordinates(values, "lat", "lon", report)
        return super().resolve(values, report)
