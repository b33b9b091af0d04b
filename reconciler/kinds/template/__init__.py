"""Templates: the kind (plan.py), its writes (write.py), the press options' write-only keys
(write_only.py) and its export form (export.py)."""

from reconciler.kinds.template.plan import TEMPLATE, TemplateKind
from reconciler.kinds.template.write import write_form

__all__ = ["TEMPLATE", "TemplateKind", "write_form"]
