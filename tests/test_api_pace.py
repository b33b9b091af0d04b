"""Adaptive concurrency: the pure controller, and the client backing off from a real 429."""

from __future__ import annotations

import logging
import re
import threading
import time

from clirun import run_cli
from hypothesis import given
from hypothesis import strategies as st

from reconciler.api import ApiClient
from reconciler.api.pace import FLAT_S, RISE, RISE_S, START, Gate, Pace
from reconciler.emulator import EmulatorServer

LAN = 0.002  # seconds


def round_of(pace: Pace, latency: float, kind: str = "GET", refused: bool = False) -> str:
    """One full round at the current level, every call answering in `latency`."""
    change = ""
    for _ in range(pace.level):
        change = pace.finished(pace.started(), kind, latency, refused) or change
    return change


def test_it_starts_polite_and_doubles_while_latency_stays_flat():
    pace = Pace(ceiling=32)
    assert pace.level == START == 4
    levels = []
    for _ in range(5):
        round_of(pace, LAN)
        levels.append(pace.level)
    assert levels == [8, 16, 32, 32, 32]
    assert pace.peak == 32 and pace.backoffs == 0


def test_a_low_ceiling_is_the_start_and_the_limit():
    pace = Pace(ceiling=2)
    assert pace.level == 2
    round_of(pace, LAN)
    assert pace.level == 2


def test_a_refusal_halves_at_once_and_growth_is_then_one_at_a_time():
    pace = Pace(ceiling=32)
    for _ in range(3):
        round_of(pace, LAN)
    assert pace.level == 32
    change = pace.finished(pace.started(), "GET", LAN, refused=True)
    assert change == "32 -> 16: a call was refused or retried"
    round_of(pace, LAN)
    assert pace.level == 17


def test_answers_to_calls_started_before_a_back_off_do_not_halve_again():
    pace = Pace(ceiling=16, level=16)
    tickets = [pace.started() for _ in range(16)]  # all in flight
    for ticket in tickets:
        pace.finished(ticket, "GET", LAN, refused=True)  # the server refused them all
    assert pace.level == 8 and pace.backoffs == 1


def test_a_latency_rise_backs_off_and_a_small_one_does_not():
    pace = Pace(ceiling=8, level=8)
    round_of(pace, 0.030)
    assert pace.level == 8
    assert round_of(pace, 0.030 * (RISE + 0.5)).startswith("8 -> 4: latency rose to")
    # On a LAN, a few ms of our own scheduling is no rise, however large the ratio.
    lan = Pace(ceiling=8, level=8)
    round_of(lan, LAN)
    round_of(lan, LAN + RISE_S * 0.9)
    assert lan.level == 8 and lan.backoffs == 0


def test_latency_is_compared_per_kind_of_call():
    pace = Pace(ceiling=16, level=4)
    round_of(pace, LAN, kind="GET")  # 4 -> 8
    round_of(pace, 0.200, kind="PUT")  # writes are slower, not a rise
    assert pace.level == 16 and pace.backoffs == 0


def test_growth_holds_between_flat_and_risen():
    pace = Pace(ceiling=16, level=4)
    round_of(pace, 0.100)
    round_of(pace, 0.100 * 1.8)  # neither flat (1.5x, +5 ms) nor risen (2x and +10 ms)
    assert pace.level == 8 and 0.100 * 0.8 > FLAT_S


EVENTS = st.lists(
    st.tuples(
        st.booleans(),  # started under the current level (else an older ticket)
        st.sampled_from(["GET", "PUT", "GET list"]),
        st.floats(min_value=0.0, max_value=5.0, allow_nan=False),
        st.booleans(),  # refused
    ),
    max_size=300,
)


@given(ceiling=st.integers(min_value=1, max_value=64), events=EVENTS)
def test_the_level_stays_within_one_and_the_ceiling_and_refusals_halve_it(ceiling, events):
    pace = Pace(ceiling=ceiling)
    assert 1 <= pace.level <= ceiling
    for current, kind, latency, refused in events:
        ticket = pace.started() if current else pace.generation - 1
        before = pace.level
        pace.finished(ticket, kind, latency, refused)
        assert 1 <= pace.level <= ceiling
        assert pace.peak <= ceiling
        if refused and current:
            assert pace.level == max(1, before // 2)
        elif not current:
            assert pace.level == before  # old answers never move it


def test_the_gate_never_lets_more_than_the_level_through():
    pace = Pace(ceiling=3, level=3)
    gate = Gate(pace)
    with gate.slot("GET"), gate.slot("GET"), gate.slot("GET"):
        assert gate._in_flight == 3
    assert gate._in_flight == 0 and gate.calls == 3


class Caller:
    """A thread making one call through the gate (in a lane: a listing's call), holding its
    slot until `release()`; with `lane`, the lane stays open until `close_lane()`."""

    def __init__(self, gate: Gate, *, lane: bool = False):
        self.started, self.ended = threading.Event(), threading.Event()
        self._release, self._close = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, args=(gate, lane), daemon=True)
        self._thread.start()

    def _run(self, gate: Gate, lane: bool) -> None:
        if lane:
            with gate.lane():
                self._call(gate)
                self._close.wait()
        else:
            self._call(gate)

    def _call(self, gate: Gate) -> None:
        with gate.slot("GET"):
            self.started.set()
            self._release.wait()
        self.ended.set()

    def release(self) -> None:
        self._release.set()
        assert self.ended.wait(10)

    def close_lane(self) -> None:
        self._close.set()
        self._thread.join(10)


def until(condition, what: str) -> None:  # noqa: ANN001
    """Poll a condition on the gate's state (bounded): a thread is waiting, not a timing."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.001)


def test_a_listing_call_gets_a_slot_ahead_of_queued_detail_reads():
    gate = Gate(Pace(ceiling=2, level=2))
    first, second = Caller(gate), Caller(gate)  # two detail reads hold both slots
    assert first.started.wait(10) and second.started.wait(10)
    queued = Caller(gate)
    until(lambda: gate.waiting == (0, 1), "a queued detail read")
    listing = Caller(gate, lane=True)  # a listing page, asked for after it
    until(lambda: gate.waiting == (1, 1), "the listing's call waiting")
    first.release()
    assert listing.started.wait(10)  # the freed slot went to the listing
    assert gate.waiting == (0, 1) and not queued.started.is_set()
    listing.release()
    # Between its pages the listing keeps its slot: the read still waits...
    assert gate.waiting == (0, 1) and not queued.started.is_set()
    listing.close_lane()  # ...until the listing is done
    assert queued.started.wait(10)
    second.release(), queued.release()
    assert gate._in_flight == 0 and gate.calls == 4


def test_an_open_listing_keeps_a_slot_so_its_next_page_never_waits():
    gate = Gate(Pace(ceiling=2, level=2))
    listing = Caller(gate, lane=True)
    listing.release()  # its first page is done; the listing goes on
    read = Caller(gate)
    assert read.started.wait(10)  # reads fill what is left...
    held_back = Caller(gate)
    until(lambda: gate.waiting == (0, 1), "a read held back")  # ...but not the kept slot
    another = Caller(gate)
    until(lambda: gate.waiting == (0, 2), "another read held back")
    next_page = threading.Event()

    def listing_goes_on() -> None:
        with gate.lane(), gate.slot("GET"):
            next_page.set()

    threading.Thread(target=listing_goes_on, daemon=True).start()
    assert next_page.wait(10)  # the listing's next page started without waiting
    listing.close_lane()
    read.release()
    assert held_back.started.wait(10) and another.started.wait(10)
    held_back.release(), another.release()
    assert gate._in_flight == 0


def test_at_level_one_listing_and_reads_take_turns_listing_first():
    gate = Gate(Pace(ceiling=1))
    read = Caller(gate)
    assert read.started.wait(10)  # nothing kept at level 1: a read may use the only slot
    queued = Caller(gate)
    until(lambda: gate.waiting == (0, 1), "a queued read")
    listing = Caller(gate, lane=True)
    until(lambda: gate.waiting == (1, 1), "the listing's call waiting")
    read.release()
    assert listing.started.wait(10) and not queued.started.is_set()
    listing.release()
    assert queued.started.wait(10)  # at level 1 the open lane keeps nothing
    queued.release(), listing.close_lane()


# -- end to end, over HTTP ------------------------------------------------------------------


def _seed(emulator: EmulatorServer, count: int) -> list[str]:
    return emulator.store.add_campaigns(
        {"campaign_name": f"C{i:04d}", "type": "autocall"} for i in range(count)
    )


def test_the_client_backs_off_on_429_and_never_exceeds_the_ceiling(emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="reconciler.pace")
    uuids = _seed(emulator, 300)
    emulator.latency_ms = 20.0  # a distant API: latency, not our CPU, sets the pace
    with ApiClient(emulator.url, token=emulator.token, pool_size=16, backoff_factor=0.001,
                   retry_after_max=0.01) as api:
        first = api.get_campaigns(uuids[:100], parallelism=16)  # grows to the ceiling
        reached = api.gate.pace.peak
        emulator.faults.fail("GET", "^/v3/campaign/", 429, times=6, retry_after=1)
        second = api.get_campaigns(uuids[100:], parallelism=16)
        pace = api.gate.pace
    assert len(first) == 100 and len(second) == 200  # every read converged
    # How high it climbs depends on the machine's load; that it climbs and stays under the
    # ceiling does not.
    assert 2 <= reached <= 16
    changes = [r.getMessage() for r in caplog.records if r.name == "reconciler.pace"]
    halvings = [
        change for change in changes
        if re.fullmatch(r"parallelism (\d+) -> (\d+): a call was refused or retried", change)
    ]
    assert halvings and pace.backoffs >= 1
    for change in halvings:
        before, after = map(int, re.findall(r"\d+", change)[:2])
        assert after == max(1, before // 2)
    assert emulator.peak_busy <= 16
    last = re.match(r"parallelism: reached (\d+) \(ceiling 16\), now ", changes[-1])
    assert last and int(last[1]) <= 16, changes[-1]


def test_a_ceiling_of_one_reads_one_at_a_time(emulator):
    uuids = _seed(emulator, 30)
    with ApiClient(emulator.url, token=emulator.token, pool_size=1) as api:
        assert len(api.get_campaigns(uuids, parallelism=8)) == 30
    assert emulator.peak_busy == 1


def test_verbose_plan_shows_the_level_reached(api_env, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    _seed(api_env, 40)
    body = "".join(
        f"  - campaign_name: C{i:04d}\n    schedules:\n      - mon-fri: \"08:00-12:00\"\n"
        for i in range(40)
    )
    (tmp_path / "c.yaml").write_text("campaigns:\n" + body, encoding="utf-8")
    result = run_cli("--verbose", "plan", str(tmp_path), "-p", "8")
    assert result.code == 0, result.output
    logged = [r.getMessage() for r in caplog.records if r.name == "reconciler.pace"]
    # How far it climbs depends on the machine's load (it backs off when answers slow down):
    # assert the report, not a timing. (The climb itself is tested on Pace, without time.)
    [line] = [m for m in logged if m.startswith("parallelism: reached")]
    found = re.fullmatch(r"parallelism: reached (\d+) \(ceiling 8\), now (\d+); "
                         r"backed off (\d+) times?", line)
    assert found, line
    reached, now = int(found[1]), int(found[2])
    assert 1 <= now <= reached <= 8, line
