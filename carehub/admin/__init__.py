"""Administration: user accounts, the audit log and service-circle coverage."""
