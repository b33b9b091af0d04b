"""Every diagnostic code the code emits is listed (SARIF's rule text) and documented.

The codes are read from the source: literal codes (`"guard/stale-plan"`), the short codes
`located(...)`/`_located(...)` and the planner's `_note(...)` prefix with `plan/`, and the
codes built from the kinds' references (`unknown-carrier`, `carrier-in-use`...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from reconciler.diagnostics.codes import CODES
from reconciler.kinds.registry import kinds, referrers

ROOT = Path(__file__).resolve().parent.parent
_FULL = re.compile(r"^(manifest|config|plan|diff|guard|risk|lock|policy)/[a-z][a-z0-9_-]*$")
_SHORT = re.compile(r"^[a-z][a-z0-9_]*(-[a-z0-9_]+)+$|^note$")


def _constant(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _emitted() -> dict[str, str]:
    """{code: where} for every code the source spells out."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "reconciler").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = _constant(node)
            if text and _FULL.match(text):
                found.setdefault(text, where)
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("located", "_located") and len(node.args) >= 5:
                short = _constant(node.args[4])
                if short:
                    found.setdefault(f"plan/{short}", where)
            if name == "_note" and ("plan" in where or "kinds" in where):
                for arg in node.args:
                    short = _constant(arg)
                    if short and _SHORT.match(short):
                        found.setdefault(f"plan/{short}", where)
    for kind in kinds().values():  # reconciler.kinds.references.resolve
        if kind.primary:
            for ref in kind.references:
                for code in (f"unknown-{ref.field}", f"{ref.field}-absent",
                             f"{ref.field}-renamed"):
                    found.setdefault(f"plan/{code}", "reconciler/kinds/references.py")
    for target in kinds():  # reconciler.plan.planner._in_use_by
        if referrers(target) and target != "audio":  # audio: kinds/audio/settle.py
            found.setdefault(f"plan/{target}-in-use", "reconciler/plan/planner.py")
    found.pop("plan/acknowledge-unneeded")  # planner._unneeded re-codes it guard/...
    return found


def test_the_scan_sees_the_codes_it_must() -> None:
    """The scan is not vacuous: it finds codes of each way they are spelt."""
    found = _emitted()
    for code in ("guard/stale-plan", "plan/lookalike-name", "plan/prune-kept-in-use",
                 "plan/unknown-carrier", "plan/template-in-use", "plan/audio-in-use",
                 "plan/carrier-data-unread", "plan/write-only-keys"):
        assert code in found, code


def test_every_code_emitted_is_listed() -> None:
    missing = {code: where for code, where in _emitted().items() if code not in CODES}
    assert not missing, f"codes emitted but not in reconciler/diagnostics/codes.py: {missing}"


def test_every_listed_code_is_documented() -> None:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"`{code}`" not in text]
    assert not missing, f"codes missing from docs/diagnostics.md: {missing}"
