"""Cross-cutting pieces: time, errors, permissions, the audit log."""
