"""The audit log (``log``) and the hash chain over its rows (``chain``).

Features record entries and mark audited models through this package; the chain's
sealing, verification and ``carehub audit`` commands are imported from ``chain``.
"""

from carehub.core.audit.log import (
    Audited,
    AuditLog,
    acting_as,
    install,
    is_suppressed,
    record,
    snapshot,
    suppressed,
)

__all__ = [
    "AuditLog",
    "Audited",
    "acting_as",
    "install",
    "is_suppressed",
    "record",
    "snapshot",
    "suppressed",
]
