"""`reconciler leads` on a 10,000-row call list, end to end over real HTTP (no timing asserts).

    .venv/bin/python bench/bench_leads.py [--rows 10000] [--rate 500] [--parallel 8]

The emulator runs in this process; each `reconciler leads` run is a subprocess, timed from
spawn to exit. The list has bad rows (numbers that are not numbers, empty and misread
values), duplicate numbers, numbers on a do-not-call list and numbers an advertising campaign
called in the last 24 hours. The steps:

  validate   --dry-run without --skip-invalid: refused, every problem located (counted)
  dry-run    --dry-run --skip-invalid --normalize: what would be pushed and skipped
  push       the real push, interrupted with SIGINT half-way (rows/s up to then)
  resume     the same command again: the rest, nothing twice (rows/s)

and checks at the end that every number was imported exactly once.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconciler.emulator import EmulatorServer  # noqa: E402

NOW = "2026-05-04 10:00:00"  # a Monday morning, tenant time: advertising hours
MANIFEST = """\
campaigns:
  - campaign_name: BenchPromo
    labels: {purpose: advertising}
  - campaign_name: EarlierPromo
    labels: {purpose: advertising}
"""


def make_list(folder: Path, rows: int) -> dict[str, int]:
    """Write calls.csv and dnc.txt; how many rows of each kind they hold."""
    lines = ["phone_number,customer_name,due_amount"]
    kinds: Counter[str] = Counter()
    for index in range(rows):
        number = f"09{index:08d}"
        written = f"+84 {number[1:4]} {number[4:7]} {number[7:]}" if index % 7 == 0 else number
        amount = f"{index + 100_000:,}".replace(",", ".") + " đ" if index % 11 == 0 else str(
            index + 100_000)
        if index % 200 == 1:
            lines.append(f"09{index:05d},Khách {index},{amount}")  # too short
            kinds["bad"] += 1
        elif index % 200 == 2:
            lines.append(f"{number},,{amount}")  # empty name
            kinds["bad"] += 1
        elif index % 200 == 3:
            lines.append(f"09{index - 3:08d},Khách {index},{amount}")  # same as 3 rows up
            kinds["duplicate"] += 1
        else:
            lines.append(f"{written},Khách {index},{amount}")
            kinds["good"] += 1
    (folder / "calls.csv").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    excluded = [f"09{index:08d}" for index in range(0, rows, 100)]
    (folder / "dnc.txt").write_text("\n".join(excluded) + "\n", encoding="utf-8")
    kinds["excluded"] = len(excluded)
    return dict(kinds)


def run(args: list[str], env: dict[str, str], cwd: Path, server: EmulatorServer,
        interrupt_after: int | None = None) -> tuple[int, str, str, float]:
    seen = [0]
    holder: dict[str, subprocess.Popen] = {}
    lock = threading.Lock()

    def hook(method: str, path: str) -> None:
        if interrupt_after and method == "POST" and path == "/v3/autocall/import":
            with lock:
                seen[0] += 1
                if seen[0] == interrupt_after:
                    holder["process"].send_signal(signal.SIGINT)

    server.request_hook = hook
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "reconciler", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    holder["process"] = process
    out, err = process.communicate()
    server.request_hook = None
    return process.returncode, out, err, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="--rate of the push (max 100)")
    parser.add_argument("--parallel", type=int, default=8)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-leads-"))
    kinds = make_list(folder, options.rows)
    (folder / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    recent = [{"campaign": "EarlierPromo", "phone": f"09{index:08d}",
               "time": "2026-05-04 08:30:00"} for index in range(50, options.rows, 100)]
    seed = {"campaigns": [{"campaign_name": "BenchPromo", "template": "thong_bao_no_cuoc_01_en"},
                          {"campaign_name": "EarlierPromo"}], "calls": recent}
    print(f"{options.rows} rows in {folder}/calls.csv: {kinds}, {len(recent)} called by "
          "another advertising campaign this morning")
    with EmulatorServer(seed=seed, record_requests=False) as server:
        env = {**os.environ, "RECONCILER_API_URL": server.url, "RECONCILER_TOKEN": server.token,
               "RECONCILER_NOW": NOW}
        env.pop("RECONCILER_API_KEY", None)
        base = ["leads", "BenchPromo", "calls.csv", "--manifests", "m.yaml", "--exclude",
                "dnc.txt"]
        code, _, err, took = run([*base, "--dry-run"], env, folder, server)
        located = sum(1 for line in err.splitlines() if line.startswith("calls.csv:"))
        print(f"validate: exit {code}, {located} located errors, {took:.2f} s")
        code, out, _, took = run([*base, "--dry-run", "--skip-invalid", "--normalize"], env,
                                 folder, server)
        print(f"dry-run:  exit {code}, {took:.2f} s: {out.splitlines()[1]}")
        push = [*base, "--skip-invalid", "--normalize", "--yes", "--rate", str(options.rate),
                "--parallel", str(options.parallel)]
        uuid = server.store.campaign_uuid_by_name("BenchPromo")
        half = options.rows // 2
        code, _, err, took = run(push, env, folder, server, interrupt_after=half)
        first = len(server.store.calls(uuid))
        print(f"push:     exit {code} (SIGINT after {half} imports), {first} sent in {took:.2f} s"
              f" = {first / took:.0f} rows/s")
        code, out, err, took = run(push, env, folder, server)
        numbers = [call["phone_number"] for call in server.store.calls(uuid)]
        print(f"resume:   exit {code}, {len(numbers) - first} sent in {took:.2f} s = "
              f"{(len(numbers) - first) / took:.0f} rows/s; {(out + err).strip().splitlines()[-1]}")
        repeats = [number for number, count in Counter(numbers).items() if count > 1]
        print(f"imports: {len(numbers)}, distinct numbers {len(set(numbers))}, "
              f"imported twice: {len(repeats)}")
        if repeats:
            raise SystemExit("a number was imported twice")


if __name__ == "__main__":
    main()
