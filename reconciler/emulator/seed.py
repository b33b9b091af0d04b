"""Default carriers, templates and audio files, and loading a seed (`--seed FILE` or a dict).

A seed is how tests and the quick start get a tenant that already has campaigns, including
drifted or running ones: `{"carriers": [...], "templates": [...], "audio": [...],
"campaigns": [...], "calls": [...]}`, with campaigns in API form (any field, defaults filled
for the rest) and calls as `{campaign, phone, time, status, ...}` records the call reports are
computed from. A carrier is a name or its POST body (prefixes top level, `data.caller_id`),
optionally with `carrier_uuid`, `status`, `created_at`; an audio file is a name or
`{audio_name, audio_uuid?, created_at?, file: PATH | size: N}` (a path relative to the seed
file, or a silent WAV with N bytes of samples; neither: an empty one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.emulator.audio import silent_wav
from reconciler.emulator.reports import CallError, add_seed_calls
from reconciler.emulator.store import NameTaken, Store

# Billing is the docs' listing row of that name, exactly; the others are made up.
DEFAULT_CARRIERS: tuple[dict[str, Any], ...] = (
    {"carrier_name": "Billing", "carrier_uuid": "a18b400f-d487-4e17-b5e7-eba5fe6fa54f",
     "gateway_uuid": "953a918a-0035-4e6f-97d1-c64e7943b7df", "caller_id": "02873003586",
     "description": "", "dial_type": "channel_prefix", "concurrent_call": 30,
     "prefix_mobi": "12", "prefix_vina": "12",
     "created_at": "2023-03-06T15:21:36.888913+07:00"},
    {"carrier_name": "Marketing", "carrier_uuid": "3c1f6f52-5d0e-4a4b-9a53-7f1f8e2b9c10",
     "description": "Đầu số quảng cáo", "dial_type": "sip_random_for_all",
     "caller_id": "02873003587", "data": {"caller_id": ["02873003587", "02873003588"]},
     "concurrent_call": 20, "network": {"viettel": 10, "mobi": 5, "vina": 5},
     "created_at": "2023-03-06T15:30:02.120417+07:00"},
    {"carrier_name": "CSKH", "carrier_uuid": "9e0d2b7a-1c44-4f4e-8d2a-5b6c7d8e9f01",
     "description": "Chăm sóc khách hàng", "dial_type": "sip_one_for_all",
     "caller_id": "19001234", "concurrent_call": 10,
     "created_at": "2023-03-06T15:41:17.503381+07:00"},
)

# In the shapes of the vendor's template page (the first is its TTS example).
_DEBT_CONTENT = (
    "Chào bạn {{customer_name}} vui lòng thanh toán khoản nợ {{due_amount}} trước ngày "
    "{{due_date}}, vui lòng bấm phím 1 nếu bạn đã thanh toán"
)
DEFAULT_TEMPLATES: tuple[dict[str, Any], ...] = (
    {"template_name": "thong_bao_no_cuoc_01",
     "template_uuid": "5f427552-857e-4939-8edf-cbd0f1ef6842",
     "voice_type": "tts", "enable_option": True, "voice_tts": "south-m-03", "speed_tts": 0.9,
     "content": _DEBT_CONTENT,
     "exit_sound": {"enable": True, "voice_type": "tts",
                    "content": "Cám ơn {{customer_name}} đã sử dụng"},
     "invalid_sound": {"enable": True, "voice_type": "tts",
                       "content": "{{customer_name}} đã nhập sai"},
     "press_options": [{"press_num": "1", "toggled": False, "voice_type": "tts", "enable": True,
                        "content": "Cám ơn {{customer_name}} đã thanh toán", "type": "tts",
                        "extension": "5000"}],
     "press_timeout": 2, "max_timeout": 1, "inter_digit_timeout": 2},
    # Contains the name above: a client must pick the exact match from a substring search.
    {"template_name": "thong_bao_no_cuoc_01_en",
     "template_uuid": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
     "voice_type": "tts", "voice_tts": "north-f-01",
     "content": "Dear {{customer_name}}, your bill of {{due_amount}} is due."},
    {"template_name": "khuyen_mai_audio_01",
     "template_uuid": "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
     "voice_type": "audio_file", "audio_file": "54a00d51-7c3f-4c97-b578-a43966fbdf48",
     "enable_option": True,
     "exit_sound": {"enable": True, "voice_type": "audio_file",
                    "audio_file": "22643d66-e9dd-4821-a9d6-a7347de5d84f"},
     "press_options": [{"press_num": "1", "toggled": False, "voice_type": "audio_file",
                        "enable": True, "audio_file": "827a8471-df3e-470d-89f0-27f305b785ca",
                        "extension": "5000"}],
     "press_timeout": 5, "max_timeout": 1, "inter_digit_timeout": 5},
    {"template_name": "ma_otp_01",
     "template_uuid": "c4d5e6f7-0819-4a2b-bc3d-4e5f60718293",
     "voice_type": "tts", "enable_option": False, "voice_tts": "south-f-03", "speed_tts": 0.9,
     "content": "Mã xác thực của quý khách là {{code_otp}}. Xin nhắc lại: {{code_otp}}.",
     "press_timeout": 1, "max_timeout": 1, "inter_digit_timeout": 1},
)

# The docs' listing, and the exit sound the audio template above plays (made up).
DEFAULT_AUDIO: tuple[dict[str, Any], ...] = (
    {"audio_name": "File_Duyet.wav.wav", "audio_uuid": "54a00d51-7c3f-4c97-b578-a43966fbdf48",
     "created_at": "2023-03-06T17:54:36.035124+07:00", "size": 16000},
    {"audio_name": "Phimbam.wav.wav", "audio_uuid": "827a8471-df3e-470d-89f0-27f305b785ca",
     "created_at": "2023-03-06T17:55:41.37731+07:00", "size": 16000},
    {"audio_name": "AudioExample.wav", "audio_uuid": "c0db40c5-9841-4fb4-bfdc-0ba179138ecf",
     "created_at": "2023-03-07T00:43:33.32359+07:00", "size": 16000},
    {"audio_name": "Cam_on.wav", "audio_uuid": "22643d66-e9dd-4821-a9d6-a7347de5d84f",
     "created_at": "2023-03-07T09:12:05.118224+07:00", "size": 16000},
)

SEED_KEYS = ("carriers", "templates", "audio", "campaigns", "calls")


class SeedError(ValueError):
    """A seed file or dict that cannot be loaded; the message says what and where."""


def load_defaults(store: Store) -> None:
    """Add the default carriers, templates and audio files (idempotent: keyed by uuid)."""
    for carrier in DEFAULT_CARRIERS:
        _add_carrier(store, carrier)
    for template in DEFAULT_TEMPLATES:
        _add_template(store, template)
    for audio in DEFAULT_AUDIO:
        _add_audio(store, audio, Path.cwd(), "defaults")


def read_seed_file(path: str | Path) -> dict[str, Any]:
    """A seed file's data: JSON, or YAML for `.yaml`/`.yml`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            from ruamel.yaml import YAML
            from ruamel.yaml.error import YAMLError

            try:
                return YAML(typ="safe", pure=True).load(text) or {}
            except YAMLError as exc:
                raise SeedError(f"seed {path} is not valid YAML: {exc}") from None
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(f"seed {path} is not valid JSON: {exc}") from None


def apply_seed(store: Store, seed: dict[str, Any] | str | Path | None) -> None:
    """Load a seed into the store. Campaigns whose name the store already holds (a reused
    `--db` file) are skipped, so restarting with the same seed is harmless."""
    if seed is None:
        return
    source = str(seed) if isinstance(seed, str | Path) else "seed"
    base = Path(seed).parent if isinstance(seed, str | Path) else Path.cwd()
    data = read_seed_file(seed) if isinstance(seed, str | Path) else seed
    if not isinstance(data, dict):
        raise SeedError(f"{source}: expected a mapping with keys {', '.join(SEED_KEYS)}")
    unknown = sorted(set(data) - set(SEED_KEYS))
    if unknown:
        raise SeedError(f"{source}: unknown key(s) {', '.join(unknown)}; "
                        f"expected {', '.join(SEED_KEYS)}")
    for key in SEED_KEYS:
        if data.get(key) is not None and not isinstance(data[key], list):
            raise SeedError(f"{source}: {key} must be a list")
    try:
        for index, carrier in enumerate(data.get("carriers") or []):
            where = f"{source}: carriers[{index}]"
            try:
                _add_carrier(store, _entry(carrier, "carrier_name", where))
            except SeedError:
                raise
            except ValueError as exc:
                raise SeedError(f"{where}: {exc}") from None
        for index, template in enumerate(data.get("templates") or []):
            _add_template(store, _entry(template, "template_name", f"{source}: templates[{index}]"))
        for index, audio in enumerate(data.get("audio") or []):
            where = f"{source}: audio[{index}]"
            _add_audio(store, _entry(audio, "audio_name", where), base, where)
        fresh = []
        for index, campaign in enumerate(data.get("campaigns") or []):
            if not isinstance(campaign, dict):
                raise SeedError(f"{source}: campaigns[{index}] must be a mapping")
            name = campaign.get("campaign_name")
            if not isinstance(name, str) or store.campaign_uuid_by_name(name) is None:
                fresh.append(campaign)
        store.add_campaigns(fresh)
        # Calls name their campaign, so they come last (see emulator/reports.py).
        add_seed_calls(store, data.get("calls") or [], source)
    except NameTaken as exc:
        raise SeedError(f"{source}: campaign_name {exc} appears twice") from None
    except ValueError as exc:
        if isinstance(exc, SeedError):
            raise
        if isinstance(exc, CallError):  # already names its source and entry
            raise SeedError(str(exc)) from None
        raise SeedError(f"{source}: {exc}") from None


def _entry(value: Any, name_key: str, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {name_key: value}
    if not isinstance(value, dict) or not isinstance(value.get(name_key), str):
        raise SeedError(f"{where}: expected a name or a mapping with {name_key}")
    return value


def _add_carrier(store: Store, carrier: dict[str, Any]) -> None:
    extra = {k: v for k, v in carrier.items() if k not in ("carrier_name", "carrier_uuid")}
    store.add_carrier(carrier["carrier_name"], carrier.get("carrier_uuid"), **extra)


def _add_template(store: Store, template: dict[str, Any]) -> None:
    extra = {k: v for k, v in template.items() if k not in ("template_name", "template_uuid")}
    store.add_template(template["template_name"], template.get("template_uuid"), **extra)


_AUDIO_KEYS = ("audio_name", "audio_uuid", "created_at", "file", "size")


def _add_audio(store: Store, audio: dict[str, Any], base: Path, where: str) -> None:
    """One seeded audio file; one whose name is stored already (a reused `--db`) is skipped
    unless its uuid is given (then it is replaced)."""
    unknown = sorted(set(audio) - set(_AUDIO_KEYS))
    if unknown:
        raise SeedError(f"{where}: unknown key(s) {', '.join(unknown)}; "
                        f"expected {', '.join(_AUDIO_KEYS)}")
    name = audio["audio_name"]
    if not audio.get("audio_uuid") and store.audio_uuid_by_name(name) is not None:
        return
    if "file" in audio and "size" in audio:
        raise SeedError(f"{where}: give file or size, not both")
    if "file" in audio:
        if not isinstance(audio["file"], str) or not audio["file"]:
            raise SeedError(f"{where}: file must be a path")
        path = base / audio["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise SeedError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    else:
        size = audio.get("size", 0)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise SeedError(f"{where}: size must be a whole number of bytes (0 or more)")
        content = silent_wav(size)
    for key in ("audio_uuid", "created_at"):
        if audio.get(key) is not None and not isinstance(audio[key], str):
            raise SeedError(f"{where}: {key} must be a string")
    store.add_audio(name, content, audio.get("audio_uuid"), audio.get("created_at"))
