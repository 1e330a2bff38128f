"""The policy form: amounts typed in yuan become integer fen without passing through float."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from carehub.core.enums import CareLevel, Hardship, choices
from carehub.subsidy.labels import KINDS
from carehub.subsidy.models import DEFAULT_TIERS

_YUAN = re.compile(r"(\d{1,9})(?:\.(\d{1,2}))?")
_BAND = re.compile(r"(\d{1,3})\s*-\s*(\d{1,3})\s*[:：]\s*(\d{1,9}(?:\.\d{1,2})?)")


def yuan_to_fen(text: str) -> int:
    found = _YUAN.fullmatch(text.strip())
    if not found:
        raise ValueError(text)
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))


class YuanField(StringField):
    fen: int | None = 0

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        try:
            self.fen = yuan_to_fen(self.data or "0")
        except ValueError:
            self.fen = None

    def pre_validate(self, form: object) -> None:
        if getattr(self, "fen", 0) is None:
            raise ValidationError(_l("Enter an amount in yuan, such as 200 or 80.50"))


def parse_bands(text: str, kind: str) -> list[dict[str, int]]:
    """One band a line, "60-79: 80" (yuan) for amounts or "90-120: 240" (minutes) for hours."""
    bands = []
    for line in text.splitlines():
        if not line.strip():
            continue
        found = _BAND.fullmatch(line.strip())
        if not found:
            raise ValueError(line)
        low, high, value = int(found.group(1)), int(found.group(2)), found.group(3)
        if high < low:
            raise ValueError(line)
        amount = yuan_to_fen(value) if kind == "age_band_amount" else int(float(value))
        bands.append({"min_age": low, "max_age": high, "value": amount})
    return bands


class PolicyForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[(k, v) for k, v in KINDS.items()])
    effective_from = DateField(_l("Effective from"), validators=[DataRequired()])
    eligible_hardships = SelectMultipleField(
        _l("Eligible hardship categories"),
        choices=choices(Hardship),
        description=_l("Age-band schemes with none selected cover every elder of age."),
    )
    amount_mild = YuanField(_l("Mild (yuan a month)"), default="0")
    amount_moderate = YuanField(_l("Moderate (yuan a month)"), default="0")
    amount_severe = YuanField(_l("Severe (yuan a month)"), default="0")
    age_bands = TextAreaField(
        _l("Age bands"),
        description=_l('One a line, "60-79: 80": yuan for amounts, minutes for hours.'),
    )
    supplement = StringField(
        _l("Supplement"),
        default="0",
        description=_l("For elders who cannot look after themselves: yuan, or minutes for hours."),
    )
    hour_value = YuanField(_l("Value of a service hour (yuan)"), default="0")
    carry_over = BooleanField(_l("Unused entitlement carries over to the next month"))
    # GB/T 42195-2022 capability level -> tier (docs/assessments.md).
    tier_intact = SelectField(
        _l("Tier for: capability intact"),
        choices=choices(CareLevel),
        default=DEFAULT_TIERS["intact"],
    )
    tier_mild = SelectField(
        _l("Tier for: mildly impaired"), choices=choices(CareLevel), default=DEFAULT_TIERS["mild"]
    )
    tier_moderate = SelectField(
        _l("Tier for: moderately impaired"),
        choices=choices(CareLevel),
        default=DEFAULT_TIERS["moderate"],
    )
    tier_severe = SelectField(
        _l("Tier for: severely impaired"),
        choices=choices(CareLevel),
        default=DEFAULT_TIERS["severe"],
    )
    tier_complete = SelectField(
        _l("Tier for: completely lost"),
        choices=choices(CareLevel),
        default=DEFAULT_TIERS["complete"],
    )
    meal_elder = YuanField(_l("Per meal, to the elder (yuan)"), default="0")
    meal_operator = YuanField(_l("Per meal, to the operator (yuan)"), default="0")
    meal_daily_cap = IntegerField(
        _l("Meals a day at most"), default=1, validators=[Optional(), NumberRange(min=1, max=10)]
    )
    meal_min_age = IntegerField(
        _l("From age"), default=60, validators=[Optional(), NumberRange(min=0, max=200)]
    )
    meal_max_age = IntegerField(
        _l("To age"), default=200, validators=[Optional(), NumberRange(min=0, max=200)]
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])

    def validate_meal_max_age(self, field: IntegerField) -> None:
        if (field.data or 200) < (self.meal_min_age.data or 0):
            raise ValidationError(_l("The age band ends before it starts."))

    def level_tiers(self) -> dict[str, str]:
        return {level: str(getattr(self, f"tier_{level}").data) for level in DEFAULT_TIERS}

    def validate_age_bands(self, field: TextAreaField) -> None:
        try:
            self.bands = parse_bands(field.data or "", self.kind.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Cannot read this band: %(line)s", line=str(exc))) from None
        if self.kind.data in ("age_band_hours", "age_band_amount") and not self.bands:
            raise ValidationError(_l("Give at least one age band."))

    def validate_supplement(self, field: StringField) -> None:
        text = (field.data or "0").strip()
        try:
            self.supplement_value = (
                yuan_to_fen(text) if self.kind.data == "age_band_amount" else int(text)
            )
        except ValueError:
            raise ValidationError(_l("Not a valid amount: %(value)s", value=text)) from None
