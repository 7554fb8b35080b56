"""The bundled documents are byte-for-byte the published ones."""

from __future__ import annotations

import hashlib
from pathlib import Path

from vawg_kg.paths import package_dir

from .conftest import REPO


def test_checksums_match() -> None:
    data = package_dir("data")
    lines = (data / "sources.sha256").read_text().splitlines()
    assert len(lines) == 5
    for line in lines:
        digest, name = line.split()
        actual = hashlib.sha256((data / "sources" / name).read_bytes()).hexdigest()
        assert actual == digest, f"{name} changed: provenance offsets would no longer point at the published text"


def test_licence_notice_present() -> None:
    for path in (REPO / "README.md", REPO / "data" / "LICENCE.md"):
        text = Path(path).read_text()
        assert "Open Government Licence v3.0" in text
        assert "Crown copyright" in text
