"""End-to-end performance of `reconciler plan` and `apply` against the emulator over real HTTP.

    .venv/bin/python bench/bench.py [--campaigns 2000] [--big 10000] [--wan 500]
                                    [--updates 200] [--runs 3] [--serial] [--quick]
                                    [--only plan|wan|apply] [--client-root DIR]
    make bench

The emulator runs in its own process (`python -m reconciler emulator --latency-ms 2 --db F`,
on an SQLite file seeded here), so its CPU never shares a GIL with the measured client; its
latency option (a sleep before each answer) stands for the network. Every measured command
is a whole subprocess, interpreter start-up included, timed from spawn to exit; peak memory
is that process's own max RSS (wait4). Runs are interleaved after one unmeasured warm-up and
each goal is judged on the median of its per-run ratios (run i of each scenario saw the same
machine load); figures are shown as median (min-max). Children run with bytecode caches as an
installed copy has them. `--client-root` measures another checkout's reconciler (say
`git archive <commit> reconciler | tar -x -C DIR`) against this emulator: before/after.

Scenarios (all campaigns manage schedules, written the human way; 1% drifted):
  fetch    bench/floor.py --workers 8: list pages, then GET every detail over 8 keep-alive
           connections of a requests.Session, no processing: "the bare fetch" (its own
           timing, interpreter start-up excluded); --workers 1 is the serial refresh
  raw      the same with --raw: the same list pages and detail GETs over 8 keep-alive
           `http.client` connections, no `requests`, no processing: the independent floor
           (what the wire and the server alone cost); plan is judged against both
  plan     python -m reconciler plan DIR --detailed-exitcode (checked: exit 2, N/100
           updates), on an emulator of its own that reports the most requests it served at
           once (the client's real concurrency)
  big      the same plan at --big campaigns: growth and peak RSS
  wan      --wan campaigns at --wan-latency-ms: the bare fetch over 8 and over 32
           connections, plan at default settings (ceiling 8) and with --parallelism 32
  apply    python -m reconciler apply DIR --auto-approve -p 1 vs -p 8 on --updates drifted
           campaigns (each: GET for the race check, PUT, GET to read it back), each from the
           same fresh database copy; outcome lines and the final stored campaigns must be
           identical, and a plan afterwards must show no changes. "Its writes" is the part
           after the plan is shown (summary line to closing line), from the streamed output.
           CPU per call: the process's CPU time (user + system) over the requests the
           emulator served it (plan likewise): on a fast link that figure bounds apply.
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
from dataclasses import dataclass, field
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


def floor_command(url: str, workers: int, raw: bool = False) -> list[str]:
    return [PYTHON, FLOOR, url, TOKEN, "--workers", str(workers), *(["--raw"] if raw else [])]


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
    """Per-run figures (runs interleaved, so run i of each scenario saw the same machine)."""

    serial: list[float] = field(default_factory=list)
    fetch: list[float] = field(default_factory=list)  # bare 8-way fetch, start-up excluded
    raw: list[float] = field(default_factory=list)  # the same over http.client: independent
    plan: list[float] = field(default_factory=list)
    plan_cpu: list[float] = field(default_factory=list)
    plan_calls: list[int] = field(default_factory=list)
    plan_rss: list[float] = field(default_factory=list)
    plan_peak: list[int] = field(default_factory=list)
    big_fetch: list[float] = field(default_factory=list)
    big_plan: list[float] = field(default_factory=list)
    big_rss: list[float] = field(default_factory=list)
    big_cpu: list[float] = field(default_factory=list)
    wan_fetch_8: list[float] = field(default_factory=list)
    wan_raw_8: list[float] = field(default_factory=list)
    wan_fetch_32: list[float] = field(default_factory=list)
    wan_plan: list[float] = field(default_factory=list)
    wan_plan_32: list[float] = field(default_factory=list)
    wan_peak: list[int] = field(default_factory=list)
    wan_peak_32: list[int] = field(default_factory=list)
    apply_1: list[float] = field(default_factory=list)
    apply_8: list[float] = field(default_factory=list)
    apply_1_writes: list[float] = field(default_factory=list)
    apply_8_writes: list[float] = field(default_factory=list)
    apply_1_cpu_call: list[float] = field(default_factory=list)  # CPU seconds per call
    apply_8_cpu_call: list[float] = field(default_factory=list)
    same_outcomes: bool = False
    same_state: bool = False
    converged: bool = False
    outcome_lines: int = 0


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: str = " s", digits: int = 2) -> str:
    """`1.23 s (1.10-1.40)`: the median and the range over runs."""
    if len(values) < 2:
        return f"{median(values):.{digits}f}{unit}"
    return (f"{median(values):.{digits}f}{unit} ({min(values):.{digits}f}-"
            f"{max(values):.{digits}f})")


def peak_in_flight(log: Path) -> int:
    """The most requests the emulator served at once, from its closing line."""
    found = re.findall(r"at most (\d+) requests at once", log.read_text(encoding="utf-8"))
    return int(found[-1]) if found else -1


def served(log: Path) -> int:
    """How many requests the emulator served, from its closing line (-1: not said)."""
    found = re.findall(r"(\d+) served\)", log.read_text(encoding="utf-8"))
    return int(found[-1]) if found else -1


def measured_plan(manifests: Path, db: Path, latency_ms: float, work: Path, updates: int,
                  what: str, extra: tuple[str, ...] = ()) -> tuple[Run, int, int]:
    """One plan against an emulator of its own: the run, the emulator's peak in flight and
    the requests it served."""
    log = work / f"emulator-{what.replace(' ', '-')}.log"
    log.unlink(missing_ok=True)
    with Emulator(db, latency_ms, log) as emulator:
        result = checked_plan(
            run([*plan_command(manifests), *extra], emulator.url, work), updates, what
        )
    return result, peak_in_flight(log), served(log)


def bench_plan(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count = args.campaigns
    db, manifests = work / "plan.db", work / "plan-manifests"
    drifted = seed_database(db, count, 100)
    write_manifests(manifests, count)
    say(f"LAN: {count} campaigns seeded ({drifted} drifted); emulator at {args.latency_ms} ms")
    with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
        checked_plan(run(plan_command(manifests), emulator.url, work), drifted, "plan warm-up")
        expect(run(floor_command(emulator.url, 8), emulator.url, work), 0, "floor warm-up")
        expect(run(floor_command(emulator.url, 8, raw=True), emulator.url, work), 0, "raw warm-up")
    for attempt in range(args.runs):
        with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
            url = emulator.url
            if args.serial:
                result = expect(run(floor_command(url, 1), url, work), 0, "serial refresh")
                figures.serial.append(result.seconds)
            result = expect(run(floor_command(url, 8), url, work), 0, "floor")
            figures.fetch.append(fetch_seconds(result))
            result = expect(run(floor_command(url, 8, raw=True), url, work), 0, "raw floor")
            figures.raw.append(fetch_seconds(result))
        result, peak, calls = measured_plan(manifests, db, args.latency_ms, work, drifted, "plan")
        figures.plan.append(result.seconds)
        figures.plan_rss.append(result.max_rss_mb)
        figures.plan_cpu.append(result.cpu)
        figures.plan_calls.append(calls)
        figures.plan_peak.append(peak)
        say(f"  run {attempt + 1}: bare fetch {figures.fetch[-1]:.2f} s, raw "
            f"{figures.raw[-1]:.2f} s, plan {figures.plan[-1]:.2f} s (at most {peak} in "
            f"flight, {calls} calls, {result.cpu:.2f} s CPU)")


def bench_big(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count = args.big
    db, manifests = work / "big.db", work / "big-manifests"
    drifted = seed_database(db, count, 100)
    write_manifests(manifests, count)
    say(f"big: {count} campaigns seeded ({drifted} drifted)")
    with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
        url = emulator.url
        expect(run(floor_command(url, 8), url, work), 0, "floor warm-up")
        for attempt in range(args.big_runs):
            result = expect(run(floor_command(url, 8), url, work), 0, "floor")
            figures.big_fetch.append(fetch_seconds(result))
            result = checked_plan(run(plan_command(manifests), url, work), drifted, "big plan")
            figures.big_plan.append(result.seconds)
            figures.big_rss.append(result.max_rss_mb)
            figures.big_cpu.append(result.cpu)
            say(f"  run {attempt + 1}: bare fetch {figures.big_fetch[-1]:.2f} s, plan "
                f"{figures.big_plan[-1]:.2f} s ({result.cpu:.2f} s CPU), peak RSS "
                f"{figures.big_rss[-1]:.0f} MB")


def bench_wan(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count, latency = args.wan, args.wan_latency_ms
    db, manifests = work / "wan.db", work / "wan-manifests"
    drifted = seed_database(db, count, 100)
    write_manifests(manifests, count)
    say(f"WAN: {count} campaigns seeded ({drifted} drifted); emulator at {latency:g} ms")
    wide = ("--parallelism", str(args.wan_ceiling))
    measured_plan(manifests, db, latency, work, drifted, "wan warm-up")
    for attempt in range(args.runs):
        with Emulator(db, latency, work / "emulator.log") as emulator:
            url = emulator.url
            result = expect(run(floor_command(url, 8), url, work), 0, "wan floor 8")
            figures.wan_fetch_8.append(fetch_seconds(result))
            result = expect(run(floor_command(url, 8, raw=True), url, work), 0, "wan raw 8")
            figures.wan_raw_8.append(fetch_seconds(result))
            result = expect(run(floor_command(url, args.wan_ceiling), url, work), 0, "floor 32")
            figures.wan_fetch_32.append(fetch_seconds(result))
        result, peak, _ = measured_plan(manifests, db, latency, work, drifted, "wan plan")
        figures.wan_plan.append(result.seconds)
        figures.wan_peak.append(peak)
        result, peak, _ = measured_plan(manifests, db, latency, work, drifted, "wan plan wide",
                                        wide)
        figures.wan_plan_32.append(result.seconds)
        figures.wan_peak_32.append(peak)
        say(f"  run {attempt + 1}: bare fetch 8-way {figures.wan_fetch_8[-1]:.2f} s (raw "
            f"{figures.wan_raw_8[-1]:.2f} s), "
            f"{args.wan_ceiling}-way {figures.wan_fetch_32[-1]:.2f} s; plan "
            f"{figures.wan_plan[-1]:.2f} s (at most {figures.wan_peak[-1]} in flight), "
            f"-p {args.wan_ceiling} {figures.wan_plan_32[-1]:.2f} s (at most "
            f"{figures.wan_peak_32[-1]})")


OUTCOME = re.compile(r"^[✓✗·] ")


def bench_apply(args: argparse.Namespace, work: Path, figures: Figures) -> None:
    count = args.updates
    seed, manifests = work / "apply.db", work / "apply-manifests"
    drifted = seed_database(seed, count, 1)  # every campaign drifted: `count` updates
    write_manifests(manifests, count)
    say(f"apply: {drifted} updates")
    timings = {1: figures.apply_1, 8: figures.apply_8}
    per_call = {1: figures.apply_1_cpu_call, 8: figures.apply_8_cpu_call}
    phases = {1: figures.apply_1_writes, 8: figures.apply_8_writes}
    outcomes: list[list[str]] = []
    states: list[dict[str, Any]] = []
    converged = True
    for attempt in range(args.runs):
        for parallelism in (1, 8):
            db = work / f"apply-{parallelism}.db"
            shutil.copyfile(seed, db)
            log = work / "emulator-apply.log"
            log.unlink(missing_ok=True)
            with Emulator(db, args.latency_ms, log) as emulator:
                command = [PYTHON, "-m", "reconciler", "apply", str(manifests),
                           "--auto-approve", "--parallelism", str(parallelism)]
                result = expect(run(command, emulator.url, work), 0, f"apply -p {parallelism}")
            timings[parallelism].append(result.seconds)
            per_call[parallelism].append(result.cpu / served(log))
            # The writes: from the plan's summary line (printed before the first call)
            # to the closing line (after the last outcome).
            phases[parallelism].append(result.at("Apply complete") - result.at("Plan:"))
            outcomes.append(
                [line for line in result.stdout.splitlines() if OUTCOME.match(line)]
            )
            with Emulator(db, args.latency_ms, work / "emulator.log") as emulator:
                after = run(plan_command(manifests), emulator.url, work)
                converged = converged and after.code == 0
            states.append(stored_state(db))
        say(
            f"  run {attempt + 1}: -p 1 {timings[1][-1]:.2f} s (writes {phases[1][-1]:.2f} s, "
            f"{per_call[1][-1] * 1000:.2f} ms CPU a call), -p 8 {timings[8][-1]:.2f} s (writes "
            f"{phases[8][-1]:.2f} s, {per_call[8][-1] * 1000:.2f} ms CPU a call)"
        )
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


def per_run(fn: Any, *series: list[float]) -> list[float]:
    """`fn` applied run by run (figures of one run saw the same machine load)."""
    return [fn(*values) for values in zip(*series, strict=False)]


def report(args: argparse.Namespace, figures: Figures) -> list[str]:
    """The table of figures (median and range over runs), then one verdict line per goal."""
    n, big, wan, wide = args.campaigns, args.big, args.wan, args.wan_ceiling
    rows: list[tuple[str, str, str, str]] = []
    verdicts: list[tuple[bool, str]] = []

    def row(name: str, value: str, baseline: str = "", ratio: str = "") -> None:
        rows.append((name, value, baseline, ratio))

    if figures.plan:
        limits = per_run(lambda fetch: 1.5 * fetch + 0.3, figures.fetch)
        margins = per_run(lambda plan, limit: plan / limit, figures.plan, limits)
        raw_limits = per_run(lambda fetch: 1.5 * fetch + 0.3, figures.raw)
        raw_margins = per_run(lambda plan, limit: plan / limit, figures.plan, raw_limits)
        cpu_call = per_run(lambda cpu, calls: cpu / calls * 1000, figures.plan_cpu,
                           figures.plan_calls)
        if figures.serial:
            row(f"LAN {n}: serial refresh (list, then GET each in turn)",
                spread(figures.serial))
        row(f"LAN {n}: bare fetch (same GETs, 8 connections, no work)", spread(figures.fetch))
        row(f"LAN {n}: independent floor (same GETs, 8 http.client connections)",
            spread(figures.raw))
        row(f"LAN {n}: reconciler plan (whole process)", spread(figures.plan),
            f"1.5 x fetch + 0.3 s = {spread(limits)}", f"{spread(margins, 'x')} of it")
        row("", "", f"1.5 x independent + 0.3 s = {spread(raw_limits)}",
            f"{spread(raw_margins, 'x')} of it")
        row("  its CPU time (user + system)", spread(figures.plan_cpu))
        row("  its CPU per call (CPU time / calls served)", spread(cpu_call, " ms"),
            f"{max(figures.plan_calls)} calls")
        row("  most requests in flight (emulator)", f"{max(figures.plan_peak)}", "ceiling 8")
        verdicts.append((median(margins) <= 1,
                         f"LAN: plan {n} <= 1.5 x the bare fetch + 0.3 s: {spread(figures.plan)}"
                         f" vs {spread(limits)}"))
        verdicts.append((median(raw_margins) <= 1,
                         f"LAN: plan {n} <= 1.5 x the independent floor + 0.3 s: "
                         f"{spread(figures.plan)} vs {spread(raw_limits)}"))
    if figures.big_plan and figures.plan:
        size = big / n
        growth = median(figures.big_plan) / median(figures.plan)
        row(f"LAN {big}: bare fetch", spread(figures.big_fetch))
        row(f"LAN {big}: reconciler plan", spread(figures.big_plan),
            f"{size:g} x plan {n} = {size * median(figures.plan):.2f} s",
            f"{growth:.2f}x for {size:g}x")
        cpu_growth = median(figures.big_cpu) / median(figures.plan_cpu)
        row("  its CPU time (user + system)", spread(figures.big_cpu), "",
            f"{cpu_growth:.2f}x for {size:g}x")
        row(f"LAN {big}: peak RSS", spread(figures.big_rss, " MB", 0), "limit 250 MB",
            f"({n}: {max(figures.plan_rss):.0f} MB)")
        verdicts.append((growth <= size * 1.1,
                         f"plan time grows linearly: {growth:.2f}x for {size:g}x the campaigns "
                         f"(linear or better: <= {size * 1.1:.1f}x)"))
        verdicts.append((max(figures.big_rss) < 250,
                         f"plan {big} peak RSS under 250 MB: {spread(figures.big_rss, ' MB', 0)}"))
    if figures.wan_plan:
        limit_8 = per_run(lambda fetch: 1.25 * fetch, figures.wan_fetch_8)
        limit_32 = per_run(lambda fetch: 1.25 * fetch + 0.3, figures.wan_fetch_32)
        margin_8 = per_run(lambda plan, limit: plan / limit, figures.wan_plan, limit_8)
        margin_32 = per_run(lambda plan, limit: plan / limit, figures.wan_plan_32, limit_32)
        speedup = per_run(lambda a, b: a / b, figures.wan_plan, figures.wan_plan_32)
        latency = f"{args.wan_latency_ms:g} ms"
        raw_ratio = per_run(lambda plan, raw: plan / raw, figures.wan_plan, figures.wan_raw_8)
        row(f"WAN {wan} at {latency}: bare fetch, 8 connections", spread(figures.wan_fetch_8))
        row(f"WAN {wan}: independent floor, 8 http.client connections",
            spread(figures.wan_raw_8))
        row(f"WAN {wan}: bare fetch, {wide} connections", spread(figures.wan_fetch_32))
        row(f"WAN {wan}: reconciler plan (default, ceiling 8)", spread(figures.wan_plan),
            f"1.25 x 8-way fetch = {spread(limit_8)}", f"{spread(margin_8, 'x')} of it")
        row("", "", "independent 8-way floor", f"{spread(raw_ratio, 'x')} of it")
        row(f"WAN {wan}: reconciler plan -p {wide}", spread(figures.wan_plan_32),
            f"1.25 x {wide}-way fetch + 0.3 s = {spread(limit_32)}",
            f"{spread(margin_32, 'x')} of it")
        row(f"  -p {wide} against the default", "", "", f"{spread(speedup, 'x')} faster")
        row("  most requests in flight (emulator)",
            f"{max(figures.wan_peak)} / {max(figures.wan_peak_32)}", f"ceilings 8 / {wide}")
        verdicts.append((median(margin_8) <= 1,
                         f"WAN: plan {wan} at default settings <= 1.25 x the bare 8-way fetch: "
                         f"{spread(figures.wan_plan)} vs {spread(limit_8)}"))
        verdicts.append((median(margin_32) <= 1,
                         f"WAN: plan {wan} -p {wide} (adaptive) <= 1.25 x the bare {wide}-way "
                         f"fetch + 0.3 s: {spread(figures.wan_plan_32)} vs {spread(limit_32)}"))
        capped = max(figures.wan_peak) <= 8 and max(figures.wan_peak_32) <= wide and (
            not figures.plan_peak or max(figures.plan_peak) <= 8)
        verdicts.append((capped,
                         f"never above the ceiling: at most {max(figures.wan_peak)} (ceiling 8) "
                         f"and {max(figures.wan_peak_32)} (ceiling {wide}) requests in flight, "
                         "as the emulator counted them"))
    if figures.apply_8:
        whole = per_run(lambda one, eight: one / eight, figures.apply_1, figures.apply_8)
        writes = per_run(lambda one, eight: one / eight, figures.apply_1_writes,
                         figures.apply_8_writes)
        updates = args.updates
        row(f"apply {updates} updates, -p 1 (whole process)", spread(figures.apply_1))
        row(f"apply {updates} updates, -p 8 (whole process)", spread(figures.apply_8),
            f"-p 1 {spread(figures.apply_1)}", f"{spread(whole, 'x')} faster")
        row("  its writes (GET, PUT, read-back GET each), -p 1", spread(figures.apply_1_writes))
        row("  its writes, -p 8", spread(figures.apply_8_writes), "",
            f"{spread(writes, 'x')} faster")
        row("  its CPU per call (CPU time / calls served), -p 1",
            spread([cpu * 1000 for cpu in figures.apply_1_cpu_call], " ms"))
        row("  its CPU per call, -p 8", spread([cpu * 1000 for cpu in figures.apply_8_cpu_call],
                                               " ms"))
        verdicts.append((median(whole) >= 4,
                         f"apply {updates} updates (read-back included), whole process, -p 8 "
                         f">= 4x faster than -p 1: {spread(whole, 'x')}"))
        same = figures.same_outcomes and figures.same_state and figures.converged
        verdicts.append((same,
                         f"apply -p 8 and -p 1: the same {figures.outcome_lines} outcome lines in "
                         f"the same order: {_yes(figures.same_outcomes)}; the same stored "
                         f"campaigns: {_yes(figures.same_state)}; a plan afterwards shows no "
                         f"changes: {_yes(figures.converged)}"))

    header = ("scenario", "time", "goal / baseline", "ratio")
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
    parser.add_argument("--latency-ms", type=float, default=2.0, help="the LAN latency")
    parser.add_argument("--wan", type=int, default=500, help="WAN campaigns (0: skip)")
    parser.add_argument("--wan-latency-ms", type=float, default=30.0)
    parser.add_argument("--wan-ceiling", type=int, default=32,
                        help="the --parallelism of the wide WAN plan and bare fetch")
    parser.add_argument("--serial", action="store_true",
                        help="also time a serial refresh (a reference, about 20 s more)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per figure")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes, one run each: a smoke test, not the verdict")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--only", choices=("plan", "wan", "apply"),
                        help="run only the LAN plan scenarios (with --big), WAN, or apply")
    parser.add_argument("--client-root", type=Path, metavar="DIR",
                        help="measure the reconciler of another checkout (e.g. an older commit "
                             "from `git archive`) against this one's emulator")
    args = parser.parse_args()
    if args.client_root:
        global CLIENT_ROOT
        CLIENT_ROOT = args.client_root.resolve()
    args.big_runs = 2
    if args.quick:
        args.campaigns, args.big, args.updates, args.wan = 500, 2500, 50, 200
        args.runs = args.big_runs = 1

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    figures = Figures()
    try:
        if args.only in (None, "plan"):
            bench_plan(args, work, figures)
            if args.big:
                bench_big(args, work, figures)
        if args.wan and args.only in (None, "wan"):
            bench_wan(args, work, figures)
        if args.updates and args.only in (None, "apply"):
            bench_apply(args, work, figures)
    finally:
        if args.keep:
            say(f"scratch kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(
        f"reconciler bench: emulator latency {args.latency_ms:g} ms (LAN), "
        f"{args.wan_latency_ms:g} ms (WAN); median (range) of {args.runs} run(s) "
        f"(big: {args.big_runs}); Python {sys.version.split()[0]}; {_machine()}"
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
