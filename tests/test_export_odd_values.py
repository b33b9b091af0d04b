"""Export with odd live text: every value a manifest can hold exactly is exported exactly
(NEL and other special characters as double-quoted escapes), a value none can hold skips only
its campaign, named with the field, and exit 1 comes after the others are written; files are
written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clirun import run_cli

from reconciler.export import _string

# Descriptions YAML scalars get wrong unless written as double-quoted escapes.
ODD = {
    "Nel": "Nhắc nợ\x85tháng 11",  # the case: one NEL
    "NelMultiline": "dòng một\ndòng hai\x85",
    "NelEnd": "cuối\x85",
    "LineSeparator": "x\u2028y\u2029z",
    "MultilineSeparator": "a\nb\u2028c",
    "Escape": "\x1b[31mred\x1b[0m",
    "EscapeMultiline": "a\n\x1bb",
    "Nul": "\x00nul",
    "Del": "del\x7f",
    "C1": "csi\x9b1m",
    "Bom": "\ufeffbom",
    "Bidi": "abc\u202edef\u2066",
    "Crlf": "a\r\nb",
    "Tab": "tab\there",
    "TrailingNewline": "one\ntwo\n",
    "Plain": "Chiến dịch nhắc nợ",
}


@pytest.fixture
def out(api_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "out"


def test_every_representable_value_exports_exactly(api_env, out):
    for name, description in ODD.items():
        api_env.store.add_campaign({"campaign_name": name, "description": description})
    # A name with control characters is no valid manifest name (validate refuses it, as it
    # would corrupt terminals): that one campaign is named and left out, the rest exported.
    api_env.store.add_campaign({"campaign_name": "Name\x85with\u2028breaks\x1b"})
    result = run_cli("export", "--out", str(out))
    assert result.code == 1, result.output
    assert f"Exported {len(ODD)} campaigns" in result.stdout
    assert "error: campaign 'Name\\x85with\\u2028breaks\\x1b' cannot be exported: " \
        "campaign_name: campaign_name has a control character (U+0085)" in result.stderr
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "\x85" not in text and "\x1b" not in text and "\u2028" not in text
    plan = run_cli("plan", str(out), "--detailed-exitcode")
    assert plan.code == 0, plan.output
    templates = len(api_env.store.list_json("template", 1000, 0)[0])  # exported too
    assert f"({len(ODD)} campaigns and {templates} templates unchanged)" in plan.stdout


def test_nel_is_written_as_a_double_quoted_escape():
    assert type(_string("a\x85b")).__name__ == "DoubleQuotedScalarString"
    assert type(_string("a\nb")).__name__ == "LiteralScalarString"
    assert type(_string("a\nb\x85")).__name__ == "DoubleQuotedScalarString"
    assert _string("Chiến dịch") == "Chiến dịch"


def test_an_unrepresentable_value_skips_only_its_campaign(api_env, out):
    api_env.store.add_campaign({"campaign_name": "Fine", "description": "Nhắc nợ\x85"})
    bad = api_env.store.add_campaign({"campaign_name": "Broken", "description": "a\ud800b"})
    result = run_cli("export", "--out", str(out), "--no-templates")
    assert result.code == 1
    assert "Exported 1 campaign to" in result.stdout
    assert result.stderr == (
        f"error: campaign 'Broken' ({bad}) not exported: description holds a lone surrogate "
        "(half a UTF-16 pair), which no UTF-8 file can hold\n"
        "error: 1 campaign not exported (see above); every other campaign was written\n"
    )
    assert sorted(path.name for path in out.iterdir()) == ["fine.yaml"]
    assert run_cli("plan", str(out), "--target", "Fine", "--detailed-exitcode").code == 0


def test_an_interrupted_export_leaves_no_file_behind(api_env, out, monkeypatch):
    for name in ("One", "Two", "Three"):
        api_env.store.add_campaign({"campaign_name": name})
    real = Path.write_text
    written: list[Path] = []

    def interrupted(self: Path, *args, **kwargs):  # noqa: ANN202
        if written:
            raise KeyboardInterrupt
        written.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", interrupted)
    result = run_cli("export", "--out", str(out))
    assert result.code != 0
    assert "internal error" not in result.output
    assert os.listdir(out) == []  # neither a half-written file nor a temporary one
