"""Packaging metadata that installs without warnings on current setuptools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_license_is_an_spdx_string_with_a_setuptools_that_reads_it():
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    # A `{text = ...}` table makes setuptools >= 77 warn on every install (deprecated).
    assert data["project"]["license"] == "MIT"
    requires = data["build-system"]["requires"]
    versions = [re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", item) for item in requires]
    assert any(match and int(match[1]) >= 77 for match in versions), requires
