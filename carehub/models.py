"""Every mapped class, imported in one place so the metadata (and Alembic) sees them all."""

from carehub.alerts.models import Alert
from carehub.auth.models import ApiToken, LoginSession, User
from carehub.availability.models import CaregiverAbsence
from carehub.core.audit import AuditLog
from carehub.dispatch.models import MealRound, ServiceRequest, Visit
from carehub.dispatch.planning.models import PlanningRun
from carehub.emergency.models import AlarmDevice
from carehub.fieldwork.models import ChecklistItem, EmergencyOffer, VisitEvent
from carehub.geo.models import GeocodeCache
from carehub.jobs.models import JobRun
from carehub.notify.models import CaregiverFeed, PushSubscription
from carehub.outcomes.models import StatusProposal
from carehub.registry.assessments import Assessment, AssessmentFlag, AssessmentForm
from carehub.registry.models import (
    Caregiver,
    CarePlan,
    Elder,
    ElderCaregiverRule,
    ElderStatusPeriod,
    Kitchen,
    ServiceType,
    Skill,
    Station,
    caregiver_skills,
)
from carehub.subsidy.models import (
    Adjustment,
    LedgerLine,
    MonthLock,
    ServicePrice,
    SubsidyPolicy,
    VisitReceipt,
    VisitResult,
    VisitReview,
)
from carehub.worker.models import BackgroundTask

__all__ = [
    "BackgroundTask",
    "Assessment",
    "AssessmentFlag",
    "AssessmentForm",
    "AlarmDevice",
    "Alert",
    "Adjustment",
    "LedgerLine",
    "MonthLock",
    "ServicePrice",
    "VisitReceipt",
    "VisitResult",
    "VisitReview",
    "ApiToken",
    "AuditLog",
    "CarePlan",
    "CaregiverAbsence",
    "ElderCaregiverRule",
    "CaregiverFeed",
    "Caregiver",
    "ChecklistItem",
    "Elder",
    "ElderStatusPeriod",
    "EmergencyOffer",
    "GeocodeCache",
    "JobRun",
    "Kitchen",
    "MealRound",
    "LoginSession",
    "PlanningRun",
    "PushSubscription",
    "ServiceRequest",
    "ServiceType",
    "Skill",
    "Station",
    "StatusProposal",
    "SubsidyPolicy",
    "User",
    "Visit",
    "VisitEvent",
    "caregiver_skills",
]
