"""What export's files look like to the people who keep them in git: stable bytes, a schema
path that exists, validate's wording, short lists on one line."""

from __future__ import annotations

from pathlib import Path

from test_export import run, seed

SCHEMA = Path("schema") / "manifest.schema.json"


def snapshot(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_exporting_an_unchanged_tenant_again_gives_identical_bytes(api_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seed(api_env)
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out)).code == 0
    first = snapshot(out)
    assert run("export", "--out", str(out), "--overwrite").code == 0
    assert snapshot(out) == first
    # Nothing in a file depends on when it was written (a time would differ on the next run).
    provenance = [text.split(b"\n")[1] for text in first.values()]
    assert provenance == [f"# Exported by `reconciler export` from {api_env.url}.".encode()] * 9


def test_the_schema_comment_points_at_a_file_that_exists(api_env, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "schema").mkdir(parents=True)
    (repo / SCHEMA).write_text("{}")
    api_env.store.add_campaign({"campaign_name": "A", "type_autocall": "autocall_voice_tts"})
    monkeypatch.chdir(tmp_path)  # export runs outside the repository, into it
    out = repo / "tenants" / "prod"
    assert run("export", "--out", str(out)).code == 0
    first_line = (out / "a.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../schema/manifest.schema.json"
    assert (out / "../../schema/manifest.schema.json").resolve().is_file()


def test_without_a_schema_file_no_dangling_path_is_written(api_env, tmp_path, monkeypatch):
    api_env.store.add_campaign({"campaign_name": "A", "type_autocall": "autocall_voice_tts"})
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out)).code == 0
    text = (out / "a.yaml").read_text(encoding="utf-8")
    assert "$schema" not in text
    assert text.splitlines()[0] == (
        "# No JSON schema found for editors: write one with `reconciler schema > "
        "schema/manifest.schema.json` at the repository root, then export again."
    )


def test_short_lists_and_maps_are_written_on_one_line(api_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    api_env.store.add_campaign(
        {
            "campaign_name": "A",
            "type_autocall": "autocall_voice_tts",
            "recall_status": ["no-answered", "busy"],
            "network": {"viettel": 10, "mobi": 5},
            "schedules": [
                {"monday_start_time": 8 * 3600 * 10**9, "monday_end_time": 9 * 3600 * 10**9}
            ],
        }
    )
    out = tmp_path / "campaigns"
    assert run("export", "--out", str(out)).code == 0
    text = (out / "a.yaml").read_text(encoding="utf-8")
    assert "    recall_status: [busy, no-answered]\n" in text
    assert "    network: {viettel: 10, mobi: 5}\n" in text
    assert '    schedules:\n      - mon: "08:00-09:00"\n' in text
    assert "Input should" not in text and "pydantic" not in text.lower()
    validated = run("validate", str(out))
    assert validated.code == 0, validated.stderr
    planned = run("plan", str(out), "--detailed-exitcode")
    assert planned.code == 0, planned.stdout + planned.stderr
