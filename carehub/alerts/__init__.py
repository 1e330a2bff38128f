"""Alerts: something a dispatcher or administrator should look at, until acknowledged.

Raised by features (late and missed visits, emergencies nobody took, outcomes, login
guessing) and by the scheduled jobs; it sits beside the features, below jobs.
"""
