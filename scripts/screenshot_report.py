"""Render the HTML plan report and photograph it with headless Chromium.

    python scripts/screenshot_report.py [--plan saved-plan.json | --sample] [--out FILE.png]

By default it draws the demo's first plan (`make demo`: examples/campaigns and its policies,
examples/reconciler.yaml, against the bundled emulator seeded with examples/emulator-seed.json),
written by the real CLI: no server needed. `--plan` draws a saved plan instead; `--sample` a
small plan built in code (a create with schedules, an update moving Saturday from 08:00 to
08:30, a delete).

The HTML the picture was made from is kept beside it (FILE.html unless `--html` says where),
and the PNG records that HTML's sha256, so a test can check the committed picture still shows
the demo's plan without a browser. Chromium is Debian's package:
`apt-get update && apt-get install -y chromium`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.plan.model import Change, FieldDiff, Plan
from reconciler.render import render
from reconciler.saved_plan import read_saved_plan

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "report-screenshot.png"
SEED = ROOT / "examples" / "emulator-seed.json"
# scripts/demo.py's first plan, as `make demo` runs it (from the repository root).
DEMO_PLAN = ["plan", "examples/campaigns", "--config", "examples/reconciler.yaml"]
SOURCE_KEY = b"reconciler:source-sha256"  # the PNG text chunk naming the HTML it shows
INSTALL_HINT = "apt-get update && apt-get install -y chromium"
CHROMIUM_TIMEOUT = 120  # seconds; a first start on a cold machine can be slow

WEEKDAYS_BEFORE = [{"mon-fri": "08:00-12:00", "sat": "08:00-11:15"}, {"mon-fri": "13:30-20:45"}]
WEEKDAYS_AFTER = [{"mon-fri": "08:00-12:00", "sat": "08:30-11:15"}, {"mon-fri": "13:30-20:45"}]


def sample_plan() -> Plan:
    """A small plan showing every kind of change, as the emulator demo would produce."""
    create = Change(
        action="create",
        campaign_name="ChamSocKhachHangTet",
        fields={
            "campaign_name": FieldDiff(None, "ChamSocKhachHangTet"),
            "type": FieldDiff(None, "autocall"),
            "type_autocall": FieldDiff(None, "autocall_voice_tts"),
            "description": FieldDiff(None, "Chăm sóc khách hàng dịp Tết Nguyên Đán"),
            "concurrent_call": FieldDiff(None, 3),
            "carrier": FieldDiff(None, "Billing"),
            "recall_status": FieldDiff(None, ["busy", "no-answered"]),
            "schedules": FieldDiff(
                None, [{"mon-sat": "09:00-11:30"}, {"mon-fri": "14:00-17:30", "sun": "15:00-16:00"}]
            ),
        },
        source="examples/campaigns/tet.yaml:2",
    )
    update = Change(
        action="update",
        campaign_name="DebtReminderTTS",
        campaign_uuid="7c1e9a4e-2b1f-4d7a-9a53-0f3c1d2e8b11",
        fields={
            "concurrent_call": FieldDiff(2, 5),
            "schedules": FieldDiff(WEEKDAYS_BEFORE, WEEKDAYS_AFTER),
        },
        live_name="DebtReminderTTS",
        live_status="start",
        source="examples/campaigns/billing.yaml:2",
    )
    delete = Change(
        action="delete",
        campaign_name="SummerPromo2026",
        campaign_uuid="e4b7d2a0-51c3-4f0e-8d7b-3a9f6c2b1d05",
        live_name="SummerPromo2026",
        live_status="stop",
        source="examples/campaigns/retired.yaml:4",
    )
    return Plan(changes=[create, update, delete], unchanged=4, api_url="http://127.0.0.1:8080")


def chromium_command(html: Path, png: Path, profile: Path, size: str) -> list[str]:
    """Headless, no network chatter, a throwaway profile: the same picture on every machine."""
    return [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={size}",
        f"--screenshot={png}",
        html.resolve().as_uri(),
    ]


def screenshot(html: Path, png: Path, size: str) -> None:
    """Photograph `html` into `png`; exits with a clear message when Chromium cannot."""
    if shutil.which("chromium") is None:
        sys.exit(f"screenshot_report: `chromium` is not installed; install it with: {INSTALL_HINT}")
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="reconciler-chromium-") as profile:
        command = chromium_command(html, png.resolve(), Path(profile), size)
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            sys.exit(f"screenshot_report: chromium did not finish within {CHROMIUM_TIMEOUT}s")
    if result.returncode != 0 or not png.is_file() or png.stat().st_size == 0:
        sys.exit(
            f"screenshot_report: chromium failed (exit {result.returncode}):\n"
            + result.stderr.strip()[-2000:]
        )


def demo_report(html: Path) -> None:
    """Write the demo's first plan as HTML with the real CLI, against the seeded emulator."""
    from reconciler.emulator import EmulatorServer

    with EmulatorServer(port=0, seed=SEED) as server:
        env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token}
        for name in ("RECONCILER_API_KEY", "RECONCILER_CONFIG", "GITHUB_ACTIONS"):
            env.pop(name, None)
        command = [*DEMO_PLAN, "--format", "html", "--out", str(html.resolve())]
        result = subprocess.run(
            [sys.executable, "-m", "reconciler", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        sys.exit(f"screenshot_report: `reconciler {' '.join(command)}` failed:\n{result.stderr}")


def stamp_source(png: Path, html: Path) -> None:
    """Record the sha256 of the HTML in a PNG text chunk (before IEND, the last 12 bytes)."""
    digest = hashlib.sha256(html.read_bytes()).hexdigest().encode()
    data = png.read_bytes()
    if data[-8:-4] != b"IEND":
        sys.exit(f"screenshot_report: {png} does not end with a PNG IEND chunk")
    kind_and_text = b"tEXt" + SOURCE_KEY + b"\0" + digest
    chunk = (
        struct.pack(">I", len(kind_and_text) - 4)
        + kind_and_text
        + struct.pack(">I", zlib.crc32(kind_and_text))
    )
    png.write_bytes(data[:-12] + chunk + data[-12:])


def load_plan(path: str | None, sample: bool = False) -> Plan:
    if sample:
        return sample_plan()
    try:
        return read_saved_plan(path)
    except ConfigError as exc:
        sys.exit(f"screenshot_report: {exc}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", help="a saved plan (`reconciler plan --out FILE`)")
    parser.add_argument("--sample", action="store_true", help="a small plan built in code")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PNG to write")
    parser.add_argument("--html", type=Path, help="where to keep the HTML (default: beside --out)")
    parser.add_argument("--window-size", default="1280,2400", help="WIDTH,HEIGHT in pixels")
    args = parser.parse_args(argv)
    html = args.html or args.out.with_suffix(".html")
    html.parent.mkdir(parents=True, exist_ok=True)
    if args.plan is None and not args.sample:
        demo_report(html)
    else:
        html.write_text(render(load_plan(args.plan, args.sample), "html"), encoding="utf-8")
    screenshot(html, args.out, args.window_size)
    stamp_source(args.out, html)
    print(f"Wrote {args.out} ({args.out.stat().st_size:,} bytes) from {html}")


if __name__ == "__main__":
    main()
