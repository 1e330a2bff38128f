"""Telling a caregiver's phone that something changed: the per-caregiver change counter the
open page polls, Web Push to a closed page, and SMS for phones without push (docs/api.md)."""
