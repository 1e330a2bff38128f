"""The caregiver's phone: the /m pages and the /api/v1 JSON API with bearer tokens and
idempotent visit events."""
