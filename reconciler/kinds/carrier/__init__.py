"""Carriers (outgoing number pools): the kind (plan.py), its read and write forms
(values.py), its writes (write.py), its export form (export.py) and the checks no API makes
(checks.py)."""

from reconciler.kinds.carrier.plan import CARRIER, CarrierKind

__all__ = ["CARRIER", "CarrierKind"]
