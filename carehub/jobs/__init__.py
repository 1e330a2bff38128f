"""Scheduled jobs: the scheduler process, job definitions, run history and alerts."""
