"""Elders: who they are, where they live, which station serves them and their care needs.

Blank coordinates are looked up from the address; a blank station is the nearest one whose
service circle holds the elder. ``preferred_caregivers`` (best first) and ``do_not_send``
list caregiver codes separated by ";"; when the column is in the file, the cell replaces the
elder's list (blank: none).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from carehub.core.enums import CareLevel, ElderStatus, Hardship
from carehub.core.errors import FieldError
from carehub.core.time import local_today
from carehub.geo.coverage import StationIndex
from carehub.geo.geocoding import geocode
from carehub.geo.travel import current_model, in_china
from carehub.registry.coverage import load_stations
from carehub.registry.imports import caregiver_rules
from carehub.registry.imports.entity import Entity, Report, codes, coordinates, lookup
from carehub.registry.imports.fields import (
    CARE_LEVEL,
    ELDER_STATUS,
    GENDER,
    HARDSHIP,
    Column,
    Day,
    Decimal,
    Text,
)
from carehub.registry.models import Caregiver, Elder, Station
from carehub.registry.naming import name_initials
from carehub.registry.services import change_status


def _station_code(elder: Elder) -> str | None:
    return elder.station.code if elder.station else None


class Elders(Entity):
    name = "elders"
    model = Elder
    columns = (
        Column("code", Text(40)),
        Column("name", Text(80)),
        Column("gender", GENDER),
        Column("phone", Text(40), blank=""),
        Column("address", Text(255), blank=""),
        Column("lat", Decimal(), blank=None),
        Column("lon", Decimal(), blank=None),
        Column("station_code", Text(40), blank=None, attr=None, source=_station_code),
        Column("care_level", CARE_LEVEL, blank=CareLevel.NONE),
        Column("hardship", HARDSHIP, blank=Hardship.NONE),
        Column("birth_date", Day(), required=False, blank=None),
        Column("care_level_assessed_on", Day(), required=False, blank=None),
        Column("status", ELDER_STATUS, required=False, blank=ElderStatus.ACTIVE),
        Column("status_since", Day(), required=False, blank=None),
        Column("preferred_caregiver_gender", GENDER, required=False, blank=None),
        Column("emergency_contact_name", Text(80), required=False, blank=None),
        Column("emergency_contact_phone", Text(40), required=False, blank=None),
        Column("notes", Text(4000), required=False, blank=None),
        Column("diet_notes", Text(120), required=False, blank=None),
        Column(
            "preferred_caregivers",
            Text(400),
            required=False,
            blank="",
            attr=None,
            source=caregiver_rules.preferred_cell,
        ),
        Column(
            "do_not_send",
            Text(400),
            required=False,
            blank="",
            attr=None,
            source=caregiver_rules.avoided_cell,
        ),
    )

    def load(self) -> None:
        self.stations = codes(self.session, Station)
        self.caregivers = codes(self.session, Caregiver)
        self.circles = StationIndex(load_stations(self.session), current_model())

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        attrs = super().resolve(values, report)
        point = coordinates(values, "lat", "lon", report)
        if point is None and values["lat"] is None and values["lon"] is None:
            point = self._geocode(values["address"], report)
            if point is not None:
                attrs["lat"], attrs["lon"] = point
        code = values["station_code"]
        if code:
            unknown = _("Unknown station: %(code)s", code=code)
            attrs["station_id"] = lookup(self.stations, code, "station_code", unknown, report)
        elif point is not None:
            cover = self.circles.covering(point)
            if cover is None:
                report("station_code", _("No station's service circle covers this elder"))
            else:
                attrs["station_id"] = cover.id
        attrs.update(caregiver_rules.resolve(values, self.caregivers, report))
        return attrs

    def same(self, obj: Any, attr: str, value: Any) -> bool:
        if attr in caregiver_rules.KEYS:
            return caregiver_rules.same(obj, attr, value)
        return super().same(obj, attr, value)

    def _geocode(self, address: str, report: Report) -> tuple[float, float] | None:
        if not address:
            report("address", _("Required value missing"))
            return None
        found = geocode(self.session, address)
        if found is None:
            report("address", _("Address not found by the geocoder: %(address)s", address=address))
        elif not in_china(*found):
            report(
                "address",
                _("Coordinates outside China: %(lat)s, %(lon)s", lat=found[0], lon=found[1]),
            )
            return None
        return found

    def assign(self, obj: Any, attrs: dict[str, Any]) -> None:
        attrs = dict(attrs)
        level = attrs.get("care_level")
        if obj.id is not None and level is not None and str(level) != str(obj.care_level):
            # An existing elder's level comes from the assessment history (docs/assessments.md).
            raise FieldError(
                "care_level",
                _("The care level changes only through an assessment or an override."),
            )
        status = attrs.pop("status", None)
        since = attrs.pop("status_since", None)
        rules = {k: attrs.pop(k) for k in caregiver_rules.KEYS if k in attrs}
        super().assign(obj, attrs)
        caregiver_rules.assign(self.session, obj, rules)
        obj.name_initials = name_initials(obj.name)
        if obj.status is None:
            obj.status = ElderStatus.ACTIVE
        if status is not None and status != obj.status:
            # Through the same effective-dated history as the edit form, so past months
            # keep the status they had.
            change_status(obj, ElderStatus(status), since or obj.status_since or local_today())
