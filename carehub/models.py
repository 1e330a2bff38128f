"""Every mapped class, imported in one place so the metadata (and Alembic) sees them all."""

from carehub.auth.models import LoginSession, User
from carehub.core.audit import AuditLog
from carehub.dispatch.models import CarePlan, ServiceRequest, Visit
from carehub.dispatch.planning_models import PlanningRun
from carehub.geo.models import GeocodeCache
from carehub.registry.models import (
    Caregiver,
    Elder,
    ElderStatusPeriod,
    ServiceType,
    Skill,
    Station,
    caregiver_skills,
)
from carehub.subsidy.models import SubsidyPolicy

__all__ = [
    "AuditLog",
    "CarePlan",
    "Caregiver",
    "Elder",
    "ElderStatusPeriod",
    "GeocodeCache",
    "LoginSession",
    "PlanningRun",
    "ServiceRequest",
    "ServiceType",
    "Skill",
    "Station",
    "SubsidyPolicy",
    "User",
    "Visit",
    "caregiver_skills",
]
