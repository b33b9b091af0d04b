"""The README quick start: a seeded emulator, then plan → apply → plan on examples/campaigns.

Runs the real `reconciler` CLI in subprocesses against a real HTTP emulator, exactly as a user
would, and stops with a non-zero exit if any step does not do what it should.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from reconciler.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = "examples/campaigns"
SEED = ROOT / "examples" / "emulator-seed.json"
# The project's policies (Decree 91 preset and team rules): PromoAudioNov trips two rules of the
# preset, one waived with its reason and one a warning, and neither stops the demo.
CONFIG = ["--config", "examples/reconciler.yaml"]


def run(args: list[str], env: dict[str, str], expect: int) -> None:
    print(f"\n$ reconciler {shlex.join(args)}", flush=True)
    result = subprocess.run([sys.executable, "-m", "reconciler", *args], env=env, cwd=ROOT)
    if result.returncode != expect:
        sys.exit(
            f"demo: expected exit {expect} from `reconciler {args[0]}`, got {result.returncode}"
        )


def main() -> None:
    with EmulatorServer(port=0, seed=SEED) as server:
        print(f"Emulator on {server.url}, seeded from {SEED.relative_to(ROOT)}:")
        print("  live DebtReminderTTS drifted from its manifest, live SummerPromo2026 to retire,")
        print("  an inbound campaign no manifest mentions (it is never touched), and the call")
        print("  script nhac_no_tet drifted from examples/campaigns/templates.yaml (a template")
        print("  the new DebtReminderTet uses: apply updates it first).")
        print("Policies: examples/reconciler.yaml (Decree 91 preset and team rules).")
        env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
        env.pop("RECONCILER_API_KEY", None)
        run(["validate", MANIFESTS, *CONFIG], env, expect=0)
        run(["plan", MANIFESTS, "--detailed-exitcode", *CONFIG], env, expect=2)
        run(["apply", MANIFESTS, "--auto-approve", *CONFIG], env, expect=0)
        run(["plan", MANIFESTS, "--detailed-exitcode", *CONFIG], env, expect=0)
    print("\nDone: the live campaigns and templates now match examples/campaigns in all a read")
    print("returns (nhac_no_tet's press-option write-only keys cannot be read back: every plan")
    print("shows it rewritten, unverifiable, and that is not drift).")


if __name__ == "__main__":
    main()
