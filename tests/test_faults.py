"""Faults during a build: SIGKILL at random points, a full disk. Nothing is lost.

The kill loop runs a real ``vawg-kg build`` subprocess and kills it after a
random delay (seeded, so a failure can be replayed), then checks that the
previous output is whole (every dump parses, and matches what was there) and
that the next build succeeds.
"""

from __future__ import annotations

import os
import random
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vawg_kg.errors import BuildError
from vawg_kg.loaders.build import build_graph

KILLS = int(os.environ.get("VAWG_KG_FAULT_KILLS", "20"))


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("vawg-kg.ttl", "vawg-kg.nt", "vawg-kg.jsonld", "commitments.json")}


def _processes_building(out: Path) -> list[int]:
    """Processes whose command line is a build into ``out`` (a build's workers share it)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(out).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_sigkill_during_build_never_damages_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build_graph(out)
    expected = _snapshot(out)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "vawg_kg", "build", "--out", str(out)], check=True,
                   capture_output=True, timeout=300)
    full = time.perf_counter() - started
    rng = random.Random(20261126)
    killed_at: list[float] = []
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-m", "vawg_kg", "build", "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.05, full * 1.1)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at.append(round(delay, 2))
        # A reader arriving now sees a whole output (the swap is a single rename).
        assert _snapshot(out) == expected, f"output damaged after kill at {delay:.2f}s"
    # and the killed builds left no worker or link process behind (they die with the build)
    deadline = time.monotonic() + 10
    while _processes_building(out) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_building(out) == []
    result = build_graph(out)  # the next build succeeds and cleans up staging folders
    assert _snapshot(out) == expected
    assert not list(tmp_path.glob(".build.new-*"))
    assert result.report["triples"] > 1000
    print(f"{KILLS} kills at {killed_at}; full build {full:.2f}s")


@pytest.mark.slow
def test_full_disk_gives_clean_error_and_no_half_written_files(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.fail("the full-disk test needs root to mount a small tmpfs (CI runs as root)")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount_point)], check=True)
    try:
        out = mount_point / "build"
        with pytest.raises(BuildError) as err:
            build_graph(out)
        assert "previous output is unchanged" in err.value.message
        assert not out.exists()
        assert list(mount_point.iterdir()) == []  # no half-written staging folder left
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
