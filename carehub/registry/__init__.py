"""Stations, elders, caregivers and the service catalogue."""
