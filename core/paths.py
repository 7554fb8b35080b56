"""Where the bundled resources and the default output live."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def package_dir(subpackage: str) -> Path:
    """Filesystem folder of a ``vawg_kg`` subpackage (works for editable and normal installs)."""
    return Path(str(resources.files(f"vawg_kg.{subpackage}")))


def sources_dir() -> Path:
    return package_dir("data") / "sources"


def ontology_dir() -> Path:
    return package_dir("ontology")


def queries_dir() -> Path:
    return package_dir("queries")


def default_build_dir() -> Path:
    return Path(os.environ.get("VAWG_KG_BUILD_DIR", "build"))


def cache_dir() -> Path:
    """Outside git: downloaded Neo4j jars, Chromium profiles, etc."""
    return Path(os.environ.get("VAWG_KG_CACHE", Path.home() / ".cache" / "vawg-kg"))
