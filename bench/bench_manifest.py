"""How long loading and validating a 2,000-campaign manifest takes (target: well under 1 s).

.venv/bin/python bench/bench_manifest.py [COUNT]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from reconciler.manifest.loader import load_manifests

ENTRY = """\
  - campaign_name: Campaign{index:05d}
    type: autocall
    type_autocall: autocall_voice_tts
    description: Nhắc nợ hàng tháng {index}
    active: true
    concurrent_call: {calls}
    carrier: Billing
    template: thong_bao_no_cuoc_01
    call_timeout: 60
    mode_call: direct
    network: {{viettel: 10, mobi: 5}}
    recall_times: 3
    limit_recall_duration: 0
    schedule_recall: minute
    schedule_recall_duration: 15
    priority_recall: normal
    recall_status: [busy, no-answered, failed]
    callback_url: https://hooks.example.vn/cdr
    schedules:
      - mon-fri: "08:00-12:00"
        sat: "08:30-11:15"
      - mon-fri: 13:30-20:45
"""


def manifest_text(count: int) -> str:
    """A valid manifest declaring `count` fully specified campaigns."""
    body = "".join(ENTRY.format(index=index, calls=index % 50) for index in range(count))
    return "campaigns:\n" + body


def main(count: int = 2000, runs: int = 5) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "campaigns.yaml"
        path.write_text(manifest_text(count), encoding="utf-8")
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            manifests = load_manifests([path])
            timings.append(time.perf_counter() - started)
        assert len(manifests.campaigns) == count
    timings.sort()
    print(
        f"load_manifests: {count} campaigns, best {timings[0]:.3f} s, "
        f"median {timings[len(timings) // 2]:.3f} s over {runs} runs"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
