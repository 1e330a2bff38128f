"""The service catalogue: duration, price in fen, the skill it needs and its time window."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from carehub.registry.imports.entity import Entity, Report, codes, lookup, ordered, together
from carehub.registry.imports.fields import Clock, Column, Text, Whole
from carehub.registry.models import ServiceType, Skill


class ServiceTypes(Entity):
    name = "service-types"
    model = ServiceType
    columns = (
        Column("code", Text(40)),
        Column("name_zh", Text(80)),
        Column("name_en", Text(80)),
        Column("duration_min", Whole(1, 24 * 60)),
        Column("price_fen", Whole(0)),
        Column("skill", Text(40), blank=None, attr=None, source=lambda s: s.skill and s.skill.code),
        Column("caregivers", Whole(1, 10), attr="caregivers_needed"),
        Column("window_start", Clock(), required=False, blank=None),
        Column("window_end", Clock(), required=False, blank=None),
        Column("priority", Whole(1, 9), required=False, blank=3),
        Column("min_visit_percent", Whole(0, 100), required=False, blank=None),
    )

    def load(self) -> None:
        self.skills = codes(self.session, Skill)

    def resolve(self, values: dict[str, Any], report: Report) -> dict[str, Any]:
        attrs = super().resolve(values, report)
        if "skill" in values:
            code = values["skill"]
            unknown = _("Unknown skill: %(code)s", code=code)
            attrs["skill_id"] = code and lookup(self.skills, code, "skill", unknown, report)
        if together(values, "window_start", "window_end", report):
            ordered(values, "window_start", "window_end", report)
        return attrs
