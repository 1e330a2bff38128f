"""The scheduled jobs: ids, schedules (crontab, local time) and the task each runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from flask_babel import lazy_gettext as _l

from carehub.db import AnySession
from carehub.jobs import tasks

Task = Callable[[AnySession, dt.datetime], str]


class UnknownJob(LookupError):
    pass


@dataclass(frozen=True)
class JobDefinition:
    id: str
    # Five crontab fields (minute hour day month weekday), or six with seconds first.
    schedule: str
    task: Task
    description: Any = ""

    def trigger(self, zone: ZoneInfo) -> CronTrigger:
        fields = self.schedule.split()
        if len(fields) == 5:
            return CronTrigger.from_crontab(self.schedule, timezone=zone)
        if len(fields) == 6:
            second, minute, hour, day, month, weekday = fields
            return CronTrigger(
                second=second,
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=weekday,
                timezone=zone,
            )
        raise ValueError(f"job {self.id}: {self.schedule!r} is not a crontab expression")

    def next_run(self, zone: ZoneInfo, after: dt.datetime) -> dt.datetime | None:
        fire = self.trigger(zone).get_next_fire_time(None, after)
        return fire.astimezone(dt.UTC) if fire else None


def standard(config: dict[str, Any]) -> list[JobDefinition]:
    return [
        JobDefinition(
            "generate-requests",
            config["JOB_GENERATE_CRON"],
            tasks.generate,
            _l("Generate service requests from care plans for the coming days"),
        ),
        JobDefinition(
            "plan-tomorrow",
            config["JOB_PLAN_CRON"],
            tasks.plan_tomorrow,
            _l("Draft tomorrow's routes for each station"),
        ),
        JobDefinition(
            "watch-visits",
            config["JOB_WATCH_CRON"],
            tasks.watch_visits,
            _l("Alert on late and missed visits; escalate unanswered emergencies"),
        ),
        JobDefinition(
            "reconcile-month",
            config["JOB_RECONCILE_CRON"],
            tasks.reconcile_closed_month,
            _l("Draft the subsidy reconciliation of the closed month"),
        ),
        JobDefinition(
            "month-figures",
            config["JOB_MONTH_FIGURES_CRON"],
            tasks.work_out_month_figures,
            _l("Work out this month's and last month's subsidy figures"),
        ),
    ]


def definitions(app: Flask) -> list[JobDefinition]:
    """The app's jobs; tests may replace the list with the ``JOBS`` setting."""
    configured = app.config.get("JOBS")
    return list(configured) if configured is not None else standard(app.config)


def find(app: Flask, job_id: str) -> JobDefinition:
    for definition in definitions(app):
        if definition.id == job_id:
            return definition
    raise UnknownJob(job_id)
