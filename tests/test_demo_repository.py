"""`make demo`'s repository (examples/campaigns) builds more than campaigns: the live carrier
Billing and a recording with the audio-file template playing it come from the repository too,
and a re-plan after apply leaves nothing but the press options' known rewrite."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
DEMO = runpy.run_path(str(ROOT / "scripts" / "demo.py"))
WAV = ROOT / "examples" / "campaigns" / "audio" / "khuyen_mai_data.wav"


def test_the_demo_applies_its_carrier_recording_and_audio_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    command = [DEMO["MANIFESTS"], *DEMO["CONFIG"]]
    with EmulatorServer(port=0, seed=DEMO["SEED"]) as server:
        monkeypatch.setenv("RECONCILER_API_URL", server.url)
        monkeypatch.setenv("RECONCILER_TOKEN", server.token)
        monkeypatch.delenv("RECONCILER_API_KEY", raising=False)
        applied = run_cli("apply", *command, "--auto-approve")
        assert applied.code == 0, applied.output
        store = server.store

        billing = store.get_carrier(store.uuid_by_name("carrier", "Billing"))
        assert billing["concurrent_call"] == 40
        assert billing["network"] == {"viettel": 10, "mobi": 5, "vina": 5, "tel": 0, "offnet": 0}

        rows, _ = store.list_audio_json(100, 0, name_contains="khuyen_mai_data")
        [upload] = [json.loads(row) for row in rows]
        assert upload["audio_name"].startswith("khuyen_mai_data-")
        assert store.audio_content(upload["audio_uuid"]) == WAV.read_bytes()
        template_uuid = store.uuid_by_name("template", "khuyen_mai_thang_11")
        assert store.get_template(template_uuid)["audio_file"] == upload["audio_uuid"]
        promo = store.get_campaign(store.campaign_uuid_by_name("PromoAudioNov"))
        assert promo["template_uuid"] == template_uuid

        again = run_cli("plan", *command, "--format", "json", "--detailed-exitcode")
        assert again.code == 0, again.output
        left = json.loads(again.stdout)["changes"]
        assert [(c["kind"], c.get("template_name"), c.get("rewrite")) for c in left] == [
            ("template", "nhac_no_tet", True)]
