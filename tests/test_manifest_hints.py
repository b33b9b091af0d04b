"""Manifest mistakes a newcomer makes, each answered with a located error and a way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_manifest_errors import assert_errors, validate_files, yaml


def test_status_says_the_run_state_is_not_managed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = yaml(
        """
        campaigns:
          - campaign_name: A
            status: start
        """
    )
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(
        result,
        "bad.yaml:3: 'status' cannot be declared: the run state (start/stop/pause) is not "
        "managed by manifests, because it changes by itself as runs start and end; start a run "
        "in the portal or with POST /v1/campaign/{uuid}/run/start",
    )
    assert "did you mean 'state'" not in result.output


def test_integers_beyond_int64_are_refused_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = yaml(
        """
        campaigns:
          - campaign_name: A
            concurrent_call: 9223372036854775807
            call_timeout: 9223372036854775808
            network:
              viettel: 99999999999999999999999
        """
    )
    result = validate_files(tmp_path, monkeypatch, {"bad.yaml": text})
    assert_errors(
        result,
        "bad.yaml:4: call_timeout: 9223372036854775808 is too large: the API stores whole "
        "numbers up to 9223372036854775807 (int64)",
        "bad.yaml:6: network.viettel: 99999999999999999999999 is too large: the API stores "
        "whole numbers up to 9223372036854775807 (int64)",
    )
