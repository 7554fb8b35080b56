"""Type-check the whole ``vawg_kg`` package as it installs: ``python scripts/typecheck.py [mypy args]``.

The design card's folders (``core/``, ``cli/``, ``stores/``, ``ontology/``, ...)
are mapped into the one ``vawg_kg`` namespace by ``pyproject.toml``. mypy reads
packages from folders, so this builds that tree out of symbolic links (from the
same mapping, nothing copied) in a temporary folder and runs mypy on
``-p vawg_kg`` there, with the configuration of ``pyproject.toml``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def link_tree(target: Path) -> None:
    mapping = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for package, folder in sorted(mapping.items(), key=lambda item: item[0].count(".")):
        where = target.joinpath(*package.split("."))
        if package.count(".") == 0:
            where.mkdir(parents=True)
            for item in (ROOT / folder).iterdir():
                if item.name != "__pycache__":
                    (where / item.name).symlink_to(item)
        else:
            where.symlink_to(ROOT / folder, target_is_directory=True)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="vawg-kg-typecheck-") as tmp:
        link_tree(Path(tmp))
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                   "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "vawg_kg", *argv]
        return subprocess.run(command, cwd=tmp).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
