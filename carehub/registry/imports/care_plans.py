"""Care plans: an elder's recurring service, matched by elder, service and start date."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from carehub.registry.imports.entity import Entity, Report, codes, lookup, ordered
from carehub.registry.imports.fields import Clock, Column, Day, Text, Weekdays
from carehub.registry.models import CarePlan, Elder, ServiceType


class CarePlans(Entity):
    name = "care-plans"
    model = CarePlan
    key = ("elder_code", "service_code", "start_date")
    columns = (
        Column("elder_code", Text(40), attr=None, source=lambda p: p.elder.code),
        Column("service_code", Text(40), attr=None, source=lambda p: p.service_type.code),
        Column("weekdays", Weekdays(), attr="weekdays_mask"),
        Column("window_start", Clock()),
        Column("window_end", Clock()),
        Column("start_date", Day()),
        Column("end_date", Day(), blank=None),
    )

    def load(self) -> None:
        self.elders = codes(self.session, Elder)
        self.services = codes(self.session, ServiceType)

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        attrs = super().resolve(values, report)
        elder, service = values["elder_code"], values["service_code"]
        attrs["elder_id"] = lookup(
            self.elders, elder, "elder_code", _("Unknown elder: %(code)s", code=elder), report
        )
        attrs["service_type_id"] = lookup(
            self.services,
            service,
            "service_code",
            _("Unknown service type: %(code)s", code=service),
            report,
        )
        ordered(values, "window_start", "window_end", report)
        ordered(values, "start_date", "end_date", report)
        return attrs

    def match(self, attrs: dict[str, Any]) -> Hashable:
        return (attrs["elder_id"], attrs["service_type_id"], attrs["start_date"])

    def identity(self, obj: Any) -> Hashable:
        return (obj.elder_id, obj.service_type_id, obj.start_date)

    def export_query(self) -> Select[Any]:
        return (
            select(CarePlan)
            .join(CarePlan.elder)
            .join(CarePlan.service_type)
            .order_by(Elder.code, ServiceType.code, CarePlan.start_date)
        )
