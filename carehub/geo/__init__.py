"""Distances, travel times, geocoding and the 15-minute service circles."""
