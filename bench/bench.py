"""End-to-end performance of `reconciler plan` and `apply` against the emulator over real HTTP.

    .venv/bin/python bench/bench.py [--campaigns 2000] [--big 10000] [--updates 200]
                                    [--runs 3] [--quick] [--only plan|apply]
                                    [--client-root DIR]
    make bench

The emulator runs in its own process (`python -m reconciler emulator --latency-ms 2 --db F`,
on an SQLite file seeded here), so its CPU never shares a GIL with the measured client. Every
measured command is a whole subprocess, interpreter start-up included, timed from spawn to
exit; peak memory is that process's own max RSS (wait4). Each figure is the median of
`--runs` runs (interleaved) after one unmeasured warm-up; children run with bytecode caches
as an installed copy has them. `--client-root` measures another checkout's reconciler (say
`git archive <commit> reconciler | tar -x -C DIR`) against this emulator: before/after.

Scenarios (all campaigns manage schedules, written the human way; 1% drifted):
  serial   bench/floor.py --workers 1: list pages, then GET each campaign in turn
  floor    bench/floor.py --workers 8: the same requests over 8 keep-alive connections,
           no processing — the least any refresh can cost on this machine
  plan     python -m reconciler plan DIR --detailed-exitcode (checked: exit 2, N/100 updates),
           and the same with --parallelism 1 (for reference)
  big      the same plan at --big campaigns: growth and peak RSS
  apply    python -m reconciler apply DIR --auto-approve -p 1 vs -p 8 on --updates drifted
           campaigns, each from the same fresh database copy; outcome lines and the final
           stored campaigns must be identical, and a plan afterwards must show no changes.
           "Its writes" is the part after the plan is shown (from its summary line to the
           closing line: the GET + PUT of each campaign), timed from the streamed output.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reconciler.emulator.seed import load_defaults  # noqa: E402
from reconciler.emulator.store import Store  # noqa: E402
from reconciler.manifest.schedule import to_api  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_manifest import ENTRY  # noqa: E402  (one campaign entry, shared with that bench)

PYTHON = sys.executable
FLOOR = str(ROOT / "bench" / "floor.py")
TOKEN = "dev-token"
PER_FILE = 100  # campaigns per manifest file, as a team might split them

SCHEDULES = [{"mon-fri": "08:00-12:00", "sat": "08:30-11:15"}, {"mon-fri": "13:30-20:45"}]
DRIFTED_SCHEDULES = [{"mon-fri": "08:00-12:00", "sat": "08:30-11:15"}, {"mon-fri": "13:30-21:00"}]



# ---- fixtures ------------------------------------------------------------------------------


def calls_of(index: int) -> int:
    return 1 + index % 50


def live_campaign(index: int, drift: str | None) -> dict[str, Any]:
    """The campaign as the tenant holds it (API form); `drift` makes it differ from its entry."""
    return {
        "campaign_name": f"Campaign{index:05d}",
        "type": "autocall",
        "type_autocall": "autocall_voice_tts",
        "description": f"Nhắc nợ hàng tháng {index}",
        "active": True,
        "concurrent_call": calls_of(index) + (7 if drift == "calls" else 0),
        "carrier": "Billing",
        "template": "thong_bao_no_cuoc_01",
        "call_timeout": 60,
        "mode_call": "direct",
        "network": {"viettel": 10, "mobi": 5},
        "recall_times": 3,
        "limit_recall_duration": 0,
        "schedule_recall": "minute",
        "schedule_recall_duration": 15,
        "priority_recall": "normal",
        "recall_status": ["busy", "no-answered", "failed"],
        "callback_url": "https://hooks.example.vn/cdr",
        "schedules": to_api(DRIFTED_SCHEDULES if drift == "schedules" else SCHEDULES),
    }


def drift_of(index: int, every: int) -> str | None:
    """Every `every`-th campaign drifted, alternately in concurrent_call and in schedules."""
    if index % every:
        return None
    return "calls" if (index // every) % 2 == 0 else "schedules"


def seed_database(path: Path, count: int, every: int) -> int:
    """An emulator SQLite file holding `count` campaigns; returns how many are drifted."""
    store = Store(str(path))
    try:
        load_defaults(store)
        drifts = [drift_of(index, every) for index in range(count)]
        store.add_campaigns(live_campaign(index, drifts[index]) for index in range(count))
    finally:
        store.close()
    return sum(1 for drift in drifts if drift)


def write_manifests(directory: Path, count: int) -> None:
    directory.mkdir(parents=True)
    for first in range(0, count, PER_FILE):
        last = min(count, first + PER_FILE)
        body = "".join(ENTRY.format(index=i, calls=calls_of(i)) for i in range(first, last))
        (directory / f"campaigns-{first // PER_FILE:04d}.yaml").write_text(
            "campaigns:\n" + body, encoding="utf-8"
        )


# ---- processes -----------------------------------------------------------------------------


class Emulator:
    """`reconciler emulator` in its own process, on a database file."""

    def __init__(self, db: Path, latency_ms: float, log: Path):
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "reconciler", "emulator", "--port", "0", "--latency-ms",
             str(latency_ms), "--db", str(db)],
            stdout=subprocess.PIPE, stderr=self._log_file, stdin=subprocess.DEVNULL,
            cwd=ROOT, env=_env(),
        )
        assert self.process.stdout is not None
        banner = self.process.stdout.readline().decode()
        found = re.search(r"listening on (\S+)", banner)
        if not found:
            self.stop()
            raise SystemExit(f"emulator did not start: {banner!r}; see {log}")
        self.url = found.group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass
class Run:
    seconds: float
    code: int
    stdout: str
    stderr: str
    max_rss_mb: float
    cpu: float  # user + system seconds of the process itself
    stamps: list[tuple[float, str]]  # (seconds since spawn, line) as stdout lines arrived

    def at(self, prefix: str) -> float:
        """When the first stdout line starting with `prefix` arrived."""
        return next(when for when, line in self.stamps if line.startswith(prefix))


def run(command: list[str], url: str, scratch: Path) -> Run:
    """Run a command to completion: wall time from spawn to exit, its own peak RSS, and when
    each stdout line arrived (the child runs unbuffered)."""
    err_path = scratch / "run.err"
    stamps: list[tuple[float, str]] = []
    with err_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            # `python -m` looks in the working directory first: it picks the checkout.
            command, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
            cwd=CLIENT_ROOT, env=_env(url),
        )
        assert process.stdout is not None
        for raw in process.stdout:
            stamps.append((time.perf_counter() - started, raw.decode("utf-8", "replace")))
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.stdout.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        seconds=elapsed,
        code=process.returncode,
        stdout="".join(line for _, line in stamps),
        stderr=err_path.read_text(encoding="utf-8"),
        max_rss_mb=usage.ru_maxrss / 1024,
        cpu=usage.ru_utime + usage.ru_stime,
        stamps=stamps,
    )


CLIENT_ROOT = ROOT  # whose `reconciler` the measured commands run (--client-root)


def _env(url: str | None = None) -> dict[str, str]:
    """The environment of the emulator (no `url`) or of a measured command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECONCILER_")}
    # Bytecode caches as any installed copy has them (this sandbox sets the variable).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update({"NO_COLOR": "1", "RECONCILER_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(CLIENT_ROOT if url else ROOT)})
    if url:
        env["RECONCILER_API_URL"] = url
    return env


def expect(result: Run, code: int, what: str) -> Run:
    if result.code != code:
        raise SystemExit(
            f"{what}: exit {result.code}, expected {code}\n{result.stdout[-2000:]}"
            f"\n{result.stderr[-2000:]}"
        )
    return result


def floor_command(url: str, workers: int) -> list[str]:
    return [PYTHON, FLOOR, url, TOKEN, "--workers", str(workers)]


def fetch_seconds(result: Run) -> float:
    return float(re.search(r"fetch_s=([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]


def plan_command(manifests: Path) -> list[str]:
    return [PYTHON, "-m", "reconciler", "plan", str(manifests), "--detailed-exitcode"]


def checked_plan(result: Run, updates: int, what: str) -> Run:
    expect(result, 2, what)
    summary = f"Plan: 0 to create, {updates} to update, 0 to delete."
    if summary not in result.stdout:
        raise SystemExit(f"{what}: expected {summary!r} in\n{result.stdout[-2000:]}")
    return result


# ---- scenarios -----------------------------------------------------------------------------


@dataclass
class Figures:
    serial: float = 0.0
    floor: float = 0.0
    floor_fetch: float = 0.0
    plan: float = 0.0
    plan_rss: float = 0.0
    plan_1: float = 0.0
    plan_cpu: float = 0.0
    big_plan_cpu: float = 0.0
    big_plan: float = 0.0
    big_floor: float = 0.0
    big_floor_fetch: float = 0.0
    big_rss: float = 0.0
    apply_1: float = 0.0
    apply_8: float = 0.0
    apply_1_writes: float = 0.0
    apply_8_writes: float = 0.0
    same_outcomes: bool = False
    same_state: bool = False
    converged: bool = False
    outcome_lines: int = 0


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_plan(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count = args.campaigns
    every = 100
    db, manifests = work / "plan.db", work / "plan-manifests"
    drifted = seed_database(db, count, every)
    write_manifests(manifests, count)
    say(f"plan: {count} campaigns seeded ({drifted} drifted); emulator at {args.latency_ms} ms")
    with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
        url = emulator.url
        checked_plan(run(plan_command(manifests), url, work), drifted, "plan warm-up")
        expect(run(floor_command(url, 8), url, work), 0, "floor warm-up")
        serial, floor, fetch, plan, rss, plan_1, cpu = [], [], [], [], [], [], []
        for attempt in range(args.runs):
            result = expect(run(floor_command(url, 1), url, work), 0, "serial refresh")
            serial.append(result.seconds)
            result = expect(run(floor_command(url, 8), url, work), 0, "floor")
            floor.append(result.seconds)
            fetch.append(fetch_seconds(result))
            result = checked_plan(run(plan_command(manifests), url, work), drifted, "plan")
            plan.append(result.seconds)
            rss.append(result.max_rss_mb)
            cpu.append(result.cpu)
            one = plan_command(manifests) + ["--parallelism", "1"]
            plan_1.append(checked_plan(run(one, url, work), drifted, "plan -p 1").seconds)
            say(
                f"  run {attempt + 1}: serial {serial[-1]:.2f} s, floor {floor[-1]:.2f} s "
                f"(fetch {fetch[-1]:.2f} s), plan {plan[-1]:.2f} s, plan -p 1 {plan_1[-1]:.2f} s"
            )
    figures.serial, figures.floor = median(serial), median(floor)
    figures.floor_fetch = median(fetch)
    figures.plan, figures.plan_rss, figures.plan_cpu = median(plan), max(rss), median(cpu)
    figures.plan_1 = median(plan_1)


def bench_big(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count = args.big
    db, manifests = work / "big.db", work / "big-manifests"
    drifted = seed_database(db, count, 100)
    write_manifests(manifests, count)
    say(f"big: {count} campaigns seeded ({drifted} drifted)")
    with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
        url = emulator.url
        expect(run(floor_command(url, 8), url, work), 0, "floor warm-up")
        plan, floor, fetch, rss, cpu = [], [], [], [], []
        for attempt in range(args.big_runs):
            result = expect(run(floor_command(url, 8), url, work), 0, "floor")
            floor.append(result.seconds)
            fetch.append(fetch_seconds(result))
            result = checked_plan(run(plan_command(manifests), url, work), drifted, "big plan")
            plan.append(result.seconds)
            rss.append(result.max_rss_mb)
            cpu.append(result.cpu)
            say(
                f"  run {attempt + 1}: floor {floor[-1]:.2f} s, plan {plan[-1]:.2f} s, "
                f"peak RSS {rss[-1]:.0f} MB"
            )
    figures.big_plan, figures.big_floor, figures.big_floor_fetch = (
        median(plan), median(floor), median(fetch)
    )
    figures.big_rss, figures.big_plan_cpu = max(rss), median(cpu)


OUTCOME = re.compile(r"^[✓✗·] ")


def bench_apply(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count = args.updates
    seed, manifests = work / "apply.db", work / "apply-manifests"
    drifted = seed_database(seed, count, 1)  # every campaign drifted: `count` updates
    write_manifests(manifests, count)
    say(f"apply: {drifted} updates")
    timings: dict[int, list[float]] = {1: [], 8: []}
    phases: dict[int, list[float]] = {1: [], 8: []}
    outcomes: list[list[str]] = []
    states: list[dict[str, Any]] = []
    converged = True
    for attempt in range(args.runs):
        for parallelism in (1, 8):
            db = work / f"apply-{parallelism}.db"
            shutil.copyfile(seed, db)
            with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
                command = [PYTHON, "-m", "reconciler", "apply", str(manifests),
                           "--auto-approve", "--parallelism", str(parallelism)]
                result = expect(run(command, emulator.url, work), 0, f"apply -p {parallelism}")
                timings[parallelism].append(result.seconds)
                # The writes: from the plan's summary line (printed before the first call)
                # to the closing line (after the last outcome).
                phases[parallelism].append(result.at("Apply complete") - result.at("Plan:"))
                outcomes.append(
                    [line for line in result.stdout.splitlines() if OUTCOME.match(line)]
                )
                after = run(plan_command(manifests), emulator.url, work)
                converged = converged and after.code == 0
            states.append(stored_state(db))
        say(
            f"  run {attempt + 1}: -p 1 {timings[1][-1]:.2f} s (writes {phases[1][-1]:.2f} s), "
            f"-p 8 {timings[8][-1]:.2f} s (writes {phases[8][-1]:.2f} s)"
        )
    figures.apply_1, figures.apply_8 = median(timings[1]), median(timings[8])
    figures.apply_1_writes, figures.apply_8_writes = median(phases[1]), median(phases[8])
    figures.outcome_lines = len(outcomes[0])
    figures.same_outcomes = all(lines == outcomes[0] for lines in outcomes) and (
        len(outcomes[0]) == drifted
    )
    figures.same_state = all(state == states[0] for state in states)
    figures.converged = converged


def stored_state(db: Path) -> dict[str, Any]:
    """Every campaign as stored, minus what legitimately differs between runs (timestamps,
    fresh schedule ids)."""
    connection = sqlite3.connect(str(db))
    try:
        rows = connection.execute("SELECT name, detail FROM campaign").fetchall()
    finally:
        connection.close()
    state = {}
    for name, detail in rows:
        doc = json.loads(detail)
        doc.pop("updated_at", None)
        for entry in doc.get("schedules") or ():
            entry.pop("id", None)
        state[name] = doc
    return state


# ---- report --------------------------------------------------------------------------------


def report(args: argparse.Namespace, figures: Figures) -> list[str]:
    """The table of figures, then one verdict line per goal."""
    n, big, updates = args.campaigns, args.big, args.updates
    rows: list[tuple[str, str, str, str]] = []
    verdicts: list[tuple[bool, str]] = []

    def row(name: str, value: str, baseline: str = "", ratio: str = "") -> None:
        rows.append((name, value, baseline, ratio))

    if figures.plan:
        vs_serial = figures.serial / figures.plan
        limit = 1.5 * figures.floor + 0.5
        row(f"serial refresh, {n} (list, then GET each in turn)", f"{figures.serial:.2f} s")
        row(f"floor, {n} (same GETs, 8 keep-alive conns, no work)", f"{figures.floor:.2f} s",
            f"(its fetch alone {figures.floor_fetch:.2f} s)")
        row(f"reconciler plan --parallelism 1, {n}", f"{figures.plan_1:.2f} s")
        row(f"reconciler plan, {n}", f"{figures.plan:.2f} s", f"serial {figures.serial:.2f} s",
            f"{vs_serial:.1f}x faster")
        row(f"reconciler plan, {n}", f"{figures.plan:.2f} s",
            f"1.5 x floor + 0.5 s = {limit:.2f} s", f"{figures.plan / figures.floor:.2f}x floor")
        row("  its CPU time (user + system)", f"{figures.plan_cpu:.2f} s")
        verdicts.append((vs_serial >= 5,
                         f"plan {n} at least 5x faster than a serial refresh: {vs_serial:.1f}x"))
        verdicts.append((figures.plan <= limit,
                         f"plan {n} within 1.5x (+0.5 s) of the 8-connection floor: "
                         f"{figures.plan:.2f} s vs {limit:.2f} s"))
    if figures.plan and big:
        growth, size = figures.big_plan / figures.plan, big / n
        big_limit = 1.5 * figures.big_floor + 0.5
        row(f"floor, {big}", f"{figures.big_floor:.2f} s",
            f"(its fetch alone {figures.big_floor_fetch:.2f} s)",
            f"{figures.big_floor / figures.floor:.2f}x the {n} floor")
        row(f"reconciler plan, {big}", f"{figures.big_plan:.2f} s",
            f"{size:g} x plan {n} = {size * figures.plan:.2f} s", f"{growth:.2f}x for {size:g}x")
        row(f"reconciler plan, {big}", f"{figures.big_plan:.2f} s",
            f"1.5 x floor + 0.5 s = {big_limit:.2f} s",
            f"{figures.big_plan / figures.big_floor:.2f}x floor")
        row("  its CPU time (user + system)", f"{figures.big_plan_cpu:.2f} s")
        row(f"reconciler plan, {big}: peak RSS", f"{figures.big_rss:.0f} MB", "limit 300 MB",
            f"({n}: {figures.plan_rss:.0f} MB)")
        verdicts.append((growth <= size * 1.1,
                         f"plan time grows linearly: {growth:.2f}x for {size:g}x the campaigns "
                         f"(linear or better: <= {size * 1.1:.1f}x)"))
        verdicts.append((figures.big_rss < 300,
                         f"plan {big} peak RSS under 300 MB: {figures.big_rss:.0f} MB"))
    if figures.apply_8:
        whole = figures.apply_1 / figures.apply_8
        writes = figures.apply_1_writes / figures.apply_8_writes
        row(f"reconciler apply, {updates} updates, -p 1", f"{figures.apply_1:.2f} s")
        row(f"reconciler apply, {updates} updates, -p 8", f"{figures.apply_8:.2f} s",
            f"-p 1 {figures.apply_1:.2f} s", f"{whole:.1f}x faster")
        row("  its writes (GET + PUT each), -p 1", f"{figures.apply_1_writes:.2f} s")
        row("  its writes (GET + PUT each), -p 8", f"{figures.apply_8_writes:.2f} s",
            f"-p 1 {figures.apply_1_writes:.2f} s", f"{writes:.1f}x faster")
        verdicts.append((whole >= 4,
                         f"apply {updates} updates, whole process, -p 8 at least 4x faster than "
                         f"-p 1: {whole:.1f}x"))
        verdicts.append((writes >= 4,
                         f"apply {updates} updates, the writes alone, -p 8 at least 4x faster "
                         f"than -p 1: {writes:.1f}x"))
        same = figures.same_outcomes and figures.same_state and figures.converged
        verdicts.append((same,
                         f"apply -p 8 and -p 1: the same {figures.outcome_lines} outcome lines in "
                         f"the same order: {_yes(figures.same_outcomes)}; the same stored "
                         f"campaigns: {_yes(figures.same_state)}; a plan afterwards shows no "
                         f"changes: {_yes(figures.converged)}"))

    header = ("scenario", "time", "baseline", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = []
    for cells in [header, tuple("-" * w for w in widths), *rows]:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        lines.append("  ".join(padded).rstrip())
    lines.append("")
    lines.extend(f"{'MET    ' if ok else 'NOT MET'}  {text}" for ok, text in verdicts)
    return lines


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().split()[1]
        total = f", {int(memory) / 1024 / 1024:.0f} GiB"
    except (OSError, IndexError, ValueError):
        total = ""
    return f"{os.cpu_count()} CPUs {model}{total}".strip()


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--campaigns", type=int, default=2000, help="declared campaigns")
    parser.add_argument("--big", type=int, default=10000, help="the growth/memory size (0: skip)")
    parser.add_argument("--updates", type=int, default=200, help="apply size (0: skip)")
    parser.add_argument("--latency-ms", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3, help="measured runs per figure")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, one run each: a smoke test, not the verdict")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--only", choices=("plan", "apply"),
                        help="run only the plan scenarios (with --big) or only apply")
    parser.add_argument("--client-root", type=Path, metavar="DIR",
                        help="measure the reconciler of another checkout (e.g. an older commit "
                             "from `git archive`) against this one's emulator")
    args = parser.parse_args()
    if args.client_root:
        global CLIENT_ROOT
        CLIENT_ROOT = args.client_root.resolve()
    args.big_runs = 2
    if args.quick:
        args.campaigns, args.big, args.updates = 500, 2500, 50
        args.runs = args.big_runs = 1

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    figures = Figures()
    try:
        if args.only != "apply":
            bench_plan(args, work, figures)
            if args.big:
                bench_big(args, work, figures)
        if args.updates and args.only != "plan":
            bench_apply(args, work, figures)
    finally:
        if args.keep:
            say(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(
        f"reconciler bench: {args.latency_ms:g} ms emulator latency, median of {args.runs} "
        f"run(s) (big: {args.big_runs}); Python {sys.version.split()[0]}; {_machine()}"
        + (f"; client from {CLIENT_ROOT}" if CLIENT_ROOT != ROOT else "")
        + ("  [--quick: indicative only]" if args.quick else "")
    )
    print()
    for line in report(args, figures):
        print(line)
    print()
    print(f"bench took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
