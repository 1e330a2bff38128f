"""Stations: code, name, address and the coordinates the service circle is drawn from; the
kitchen their meals come from (blank: their own canteen) and when the canteen's are ready."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from carehub.registry.imports.entity import Entity, Report, codes, coordinates, lookup
from carehub.registry.imports.fields import Clock, Column, Decimal, Text, Whole
from carehub.registry.models import Kitchen, Station


def _kitchen_code(station: Station) -> str | None:
    return station.kitchen.code if station.kitchen else None


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
        Column(
            "kitchen_code", Text(40), required=False, blank=None, attr=None, source=_kitchen_code
        ),
        Column("meals_ready", Clock(), required=False, blank=None),
        # Last, so files written before districts existed keep their column order.
        Column("district", Text(60), required=False, blank=""),
    )

    def load(self) -> None:
        self.kitchens = codes(self.session, Kitchen)

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        coordinates(values, "lat", "lon", report)
        attrs = super().resolve(values, report)
        if "kitchen_code" in values:
            code = values["kitchen_code"]
            unknown = _("Unknown kitchen: %(code)s", code=code)
            attrs["kitchen_id"] = code and lookup(
                self.kitchens, code, "kitchen_code", unknown, report
            )
        return attrs
