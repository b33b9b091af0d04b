"""The README quick start: a seeded emulator, then plan → apply → plan on examples/campaigns
(campaigns, templates, the Billing carrier and a recording);
then two emulators as the tenants staging and production, driven by the same manifests with
one override for staging.

Runs the real `reconciler` CLI in subprocesses against a real HTTP emulator, exactly as a user
would, and stops with a non-zero exit if any step does not do what it should.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
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
        print("The repository also declares the live carrier Billing (carriers.yaml: more")
        print("  calls at once and channels per network for the campaigns on it), and a recording")
        print("  (audio/khuyen_mai_data.wav) the new template khuyen_mai_thang_11 plays for")
        print("  PromoAudioNov: apply uploads it, then creates the template, then the campaign.")
        print("Policies: examples/reconciler.yaml (Decree 91 preset and team rules).")
        env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
        env.pop("RECONCILER_API_KEY", None)
        run(["validate", MANIFESTS, *CONFIG], env, expect=0)
        run(["plan", MANIFESTS, "--detailed-exitcode", *CONFIG], env, expect=2)
        run(["apply", MANIFESTS, "--auto-approve", *CONFIG], env, expect=0)
        run(["plan", MANIFESTS, "--detailed-exitcode", *CONFIG], env, expect=0)
    print("\nDone: the live carrier, recording, templates and campaigns now match")
    print("examples/campaigns in all a read returns (nhac_no_tet's press-option write-only keys")
    print("cannot be read back: every plan shows it rewritten, unverifiable, and that is not")
    print("drift).")
    environments()


ENVIRONMENTS = """
environments:
  staging:
    api_url_env: STAGING_API_URL
    token_env: STAGING_TOKEN
    overrides:
      - set: {concurrent_call: 1}   # staging never rings more than one line at once
  production:
    api_url_env: PROD_API_URL
    token_env: PROD_TOKEN
"""


def environments() -> None:
    """Two tenants from one repository: every uuid differs, the override shows in the plan."""
    with EmulatorServer(port=0, seed=SEED, token="staging-token") as staging, \
            EmulatorServer(port=0, seed=SEED, token="production-token") as production, \
            tempfile.TemporaryDirectory() as workdir:
        config = Path(workdir) / "reconciler.yaml"
        policies = (ROOT / "examples" / "reconciler.yaml").read_text(encoding="utf-8")
        config.write_text(policies + ENVIRONMENTS, encoding="utf-8")
        print("\n--- Environments: two emulators as staging and production, one repository ---")
        print(f"reconciler.yaml = examples/reconciler.yaml plus:{ENVIRONMENTS}")
        env = {**os.environ, "STAGING_API_URL": staging.url, "STAGING_TOKEN": staging.token,
               "PROD_API_URL": production.url, "PROD_TOKEN": production.token}
        for name in ("RECONCILER_API_URL", "RECONCILER_TOKEN", "RECONCILER_API_KEY",
                     "RECONCILER_ENV"):
            env.pop(name, None)
        options = ["--config", str(config)]
        run(["plan", MANIFESTS, "--env", "staging", "--detailed-exitcode", *options], env, 2)
        run(["apply", MANIFESTS, "--env", "staging", "--auto-approve", *options], env, 0)
        run(["apply", MANIFESTS, "--env", "production", "--auto-approve", *options], env, 0)
        run(["plan", MANIFESTS, "--env", "all", "--detailed-exitcode", *options], env, 0)
    print("\nDone: both tenants match the manifests, each with its own uuids; staging runs")
    print("every campaign with concurrent_call 1 (the plan said so: '(staging override)').")


if __name__ == "__main__":
    main()
