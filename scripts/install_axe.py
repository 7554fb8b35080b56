"""Fetch axe-core (pinned) from npm for the accessibility checks of the browser tests.

``npm pack axe-core@VERSION`` downloads the published tarball (npm checks its integrity); only
``axe.min.js`` is kept, in ``.cache/axe-core-VERSION/`` (gitignored). The tests inject it into each
page and fail on any serious or critical violation. Run by ``make browser``; idempotent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "4.11.0"
REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"


def install() -> Path:
    if TARGET.is_file():
        return TARGET
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed: `apt-get install npm`, then run this script again")
    with tempfile.TemporaryDirectory(prefix="axe-") as tmp:
        subprocess.run([npm, "pack", f"axe-core@{VERSION}", "--pack-destination", tmp, "--silent"], check=True,
                       cwd=tmp, stdout=subprocess.DEVNULL)
        tarball = next(Path(tmp).glob("axe-core-*.tgz"))
        with tarfile.open(tarball) as tar:
            member = tar.extractfile("package/axe.min.js")
            if member is None:
                raise SystemExit(f"{tarball.name} has no package/axe.min.js")
            TARGET.parent.mkdir(parents=True, exist_ok=True)
            TARGET.write_bytes(member.read())
    return TARGET


if __name__ == "__main__":
    print(install())
    sys.exit(0)
