"""The project's own Neo4j Community server: install with Maven, start, stop, find.

neo4j.com and Docker are out of reach; Maven Central is not. The standalone
server tarball is not deployed there, but the DBMS (``org.neo4j:neo4j``) and
its Bolt connector (``org.neo4j:neo4j-bolt``) are, so ``launcher/`` (shipped in the package) is a
small Java program around them (see its ``Launcher.java`` for the settings:
loopback only, auth on, no file URLs for LOAD CSV, a transaction timeout).

Layout under ``cache_dir()/neo4j`` (outside git)::

    <version>/build/vawg-kg-neo4j-launcher.jar   the launcher
    <version>/lib/*.jar                          its runtime classpath
    <version>/installed.json                     written last: the install is complete
    data-<port>/                                 a server's home (store, logs, conf, import)
    state.json                                   the running server: uri, user, password, pid (mode 0600)

Other processes (``vawg-kg load-neo4j``, the API) find the server through
:func:`connection_settings`, which prefers the ``VAWG_KG_NEO4J_*`` variables.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from vawg_kg.errors import StoreUnavailableError
from vawg_kg.paths import cache_dir

PINNED = "5.26.30"  # newest 5.26 LTS on Maven Central; 5.26 is the last line that runs on Java 17
MIN_JAVA = 17
# Sized for a 2-core / 24 GiB machine running the API and tests beside it; VAWG_KG_NEO4J_HEAP and
# VAWG_KG_NEO4J_PAGECACHE override them (a 500-document graph's load needs a 4g heap: see neo4j_load).
HEAP = "1g"
PAGECACHE = "512m"
HEAP_ENV, PAGECACHE_ENV = "VAWG_KG_NEO4J_HEAP", "VAWG_KG_NEO4J_PAGECACHE"
TX_TIMEOUT = "30s"
START_TIMEOUT_S = 180.0  # a loaded 2-core machine has needed ~60 s
STOP_TIMEOUT_S = 60.0
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"
MAIN_CLASS = "org.vawgkg.Launcher"
PASSWORD_ENV = "VAWG_KG_NEO4J_INITIAL_PASSWORD"
# Flags from Neo4j's own neo4j.conf for Java 17 (page cache and Netty reach into java.nio).
JVM_FLAGS = (
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
)
YOUNG_SHARE = 4  # the young generation is a fixed quarter of the heap (see young_generation)


def young_generation(heap: str) -> list[str]:
    """``-Xmn`` at a quarter of ``heap`` (``4g`` → ``-Xmn1024m``); none for a size it cannot read.

    G1 otherwise sizes the young generation to meet its 200 ms pause goal; on a busy 2-core
    machine its pauses run long, so it shrank eden to ~190 MB of a 4 GB heap and a load's
    transaction state was copied in 13-21 young collections a 100-document load (3.3-4.5 s of
    pauses); with a fixed 1 GB young generation, 3-5 collections and 0.7-1.3 s (same machine, same run).
    """
    match = re.fullmatch(r"(\d+)([kmgKMG]?)", heap.strip())
    if not match:
        return []
    mb = int(match.group(1)) * {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024}[match.group(2).lower()]
    young = int(mb // YOUNG_SHARE)
    return [f"-Xmn{young}m"] if young >= 16 else []



@dataclass(frozen=True)
class ServerInfo:
    uri: str
    user: str
    password: str
    pid: int
    port: int
    data_dir: str
    version: str
    log_file: str
    database: str = DEFAULT_DATABASE


class ConnectionSettings(NamedTuple):
    uri: str
    user: str
    password: str
    database: str


# Servers started by this Python process: their Popen objects, so a dead child is reaped, not a zombie.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


# --- paths ---------------------------------------------------------------------------

def neo4j_dir() -> Path:
    return cache_dir() / "neo4j"


def install_dir(version: str = PINNED) -> Path:
    return neo4j_dir() / version


def default_state_file() -> Path:
    """Where the running server is recorded: ``VAWG_KG_NEO4J_STATE``, else ``state.json`` in the cache."""
    override = os.environ.get("VAWG_KG_NEO4J_STATE")
    return Path(override) if override else neo4j_dir() / "state.json"


def launcher_source() -> Path:
    """The launcher's Maven project, shipped in the package (``launcher/`` beside this module),
    or ``VAWG_KG_NEO4J_LAUNCHER``."""
    override = os.environ.get("VAWG_KG_NEO4J_LAUNCHER")
    src = Path(override) if override else Path(__file__).resolve().parent / "launcher"
    if not (src / "pom.xml").is_file():
        raise StoreUnavailableError(
            f"the Neo4j launcher sources are not at {src}; reinstall the package "
            "or set VAWG_KG_NEO4J_LAUNCHER to a folder holding the launcher's pom.xml and src/"
        )
    return src


def _source_digest(src: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted([src / "pom.xml", *src.joinpath("src").rglob("*.java")]):
        digest.update(path.relative_to(src).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# --- Java and Maven ------------------------------------------------------------------

def java_executable() -> str:
    """``VAWG_KG_JAVA``, else ``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    candidates = [os.environ.get("VAWG_KG_JAVA")]
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    candidates.append(shutil.which("java"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise StoreUnavailableError(
        f"Java is not installed: Neo4j {PINNED} needs a JDK {MIN_JAVA} or newer "
        "(Debian: `apt-get install openjdk-17-jdk-headless`; or set JAVA_HOME)"
    )


def java_version(java: str) -> int:
    """The feature version of ``java`` (8 for 1.8.0, 17 for 17.0.15)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StoreUnavailableError(f"cannot run {java} -version: {exc}") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise StoreUnavailableError(f"cannot tell the Java version from `{java} -version`: {out.stderr.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_java() -> str:
    java = java_executable()
    version = java_version(java)
    if version < MIN_JAVA:
        raise StoreUnavailableError(
            f"{java} is Java {version}; Neo4j {PINNED} needs Java {MIN_JAVA} or newer. "
            "Install openjdk-17-jdk-headless or point JAVA_HOME (or VAWG_KG_JAVA) at a JDK 17+"
        )
    return java


def _maven() -> str:
    mvn = os.environ.get("VAWG_KG_MVN") or shutil.which("mvn")
    if not mvn:
        raise StoreUnavailableError(
            "Maven is not installed; it fetches Neo4j from Maven Central (Debian: `apt-get install maven`)"
        )
    return mvn


@contextlib.contextmanager
def _install_lock() -> Iterator[None]:
    neo4j_dir().mkdir(parents=True, exist_ok=True)
    with open(neo4j_dir() / "install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- install -------------------------------------------------------------------------

def installed(version: str = PINNED) -> Path | None:
    """The install folder when a complete install of ``version`` for these launcher sources exists."""
    home = install_dir(version)
    marker = home / "installed.json"
    try:
        meta = json.loads(marker.read_text())
        src_digest = _source_digest(launcher_source())
    except (OSError, ValueError, StoreUnavailableError):
        return None
    jar = home / "build" / "vawg-kg-neo4j-launcher.jar"
    if meta.get("source_digest") != src_digest or not jar.is_file() or not any((home / "lib").glob("neo4j-*.jar")):
        return None
    return home


def install(version: str = PINNED, *, quiet: bool = True) -> Path:
    """Fetch Neo4j ``version`` from Maven Central and build the launcher; a no-op when already done."""
    if (home := installed(version)) is not None:
        return home
    java = check_java()
    mvn = _maven()
    src = launcher_source()
    with _install_lock():
        if (home := installed(version)) is not None:
            return home
        home = install_dir(version)
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        cmd = [
            mvn, "-B", *(["-q"] if quiet else []), "package",
            f"-Dneo4j.version={version}",
            f"-Dvawgkg.out={home}",
            f"-Dmaven.repo.local={cache_dir() / 'maven-repo'}",
        ]
        env = dict(os.environ)
        env.setdefault("JAVA_HOME", str(Path(os.path.realpath(java)).parents[1]))
        started = time.monotonic()
        # Built from a copy in the install folder: the package's own folder may be read-only.
        work = home / "launcher-src"
        shutil.copytree(src, work, ignore=shutil.ignore_patterns("target"))
        proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            shutil.rmtree(home, ignore_errors=True)
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise StoreUnavailableError(
                f"Maven could not fetch or build Neo4j {version} (exit {proc.returncode}); "
                f"check that Maven Central is reachable and the version exists.\n{tail}"
            )
        meta = {
            "version": version,
            "source_digest": _source_digest(src),
            "seconds": round(time.monotonic() - started, 1),
            "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (home / "installed.json").write_text(json.dumps(meta, indent=2) + "\n")
        return home


# --- start / stop / status -----------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_busy(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Netty binds: old connections in TIME_WAIT (after a restart) do not make the port busy; a listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty log)"


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc: trust kill(0)
    state = stat.rsplit(")", 1)[-1].split()[0]
    # A recycled pid that is not our launcher counts as dead.
    return state != "Z" and MAIN_CLASS.encode() in cmdline


def _write_state(info: ServerInfo, state_file: Path) -> None:
    state_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_file.with_name(state_file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the password
    with os.fdopen(fd, "w") as fh:
        json.dump(asdict(info), fh, indent=2)
    os.replace(tmp, state_file)


def _read_state(state_file: Path) -> ServerInfo | None:
    try:
        return ServerInfo(**json.loads(state_file.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _bolt_answers(uri: str, user: str, password: str) -> bool:
    import neo4j
    from neo4j.exceptions import AuthError, ServiceUnavailable

    try:
        with neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=5) as driver:
            driver.verify_connectivity()
        return True
    except (ServiceUnavailable, OSError):
        return False
    except AuthError as exc:
        raise StoreUnavailableError(f"Neo4j at {uri} started but refuses the generated password: {exc}") from exc


def start(
    port: int | None = None,
    *,
    data_dir: Path | None = None,
    version: str = PINNED,
    state_file: Path | None = None,
    heap: str | None = None,
    pagecache: str | None = None,
    tx_timeout: str = TX_TIMEOUT,
    timeout_s: float = START_TIMEOUT_S,
    password: str | None = None,
) -> ServerInfo:
    """Start a server on 127.0.0.1 and wait until Bolt answers; record it in ``state_file``.

    With no ``state_file`` the default one is used, and a server already recorded there and
    running is returned as is (one project server per machine user).
    """
    heap = heap or os.environ.get(HEAP_ENV) or HEAP
    pagecache = pagecache or os.environ.get(PAGECACHE_ENV) or PAGECACHE
    state_path = state_file or default_state_file()
    if (running := status(state_path)) is not None:
        if port is None or port == running.port:
            return running
        raise StoreUnavailableError(
            f"a Neo4j server is already running for this project on port {running.port} (pid {running.pid}); "
            "stop it first with `vawg-kg neo4j stop`"
        )
    java = check_java()
    home = installed(version)
    if home is None:
        raise StoreUnavailableError(f"Neo4j {version} is not installed; run `vawg-kg neo4j install` (or `make neo4j`)")
    if port is None:
        port = free_port()
    elif _port_busy(port):
        raise StoreUnavailableError(
            f"port {port} on 127.0.0.1 is already in use; choose another with --port or leave it out for a free one"
        )
    data = Path(data_dir) if data_dir else neo4j_dir() / f"data-{port}"
    data.mkdir(parents=True, exist_ok=True)
    ready = data / "ready.json"
    ready.unlink(missing_ok=True)
    log_file = data / "launcher.log"
    password = password or secrets.token_urlsafe(24)
    cmd = [
        java, f"-Xms{heap}", f"-Xmx{heap}", *young_generation(heap), *JVM_FLAGS,
        "-cp", f"{home / 'build' / 'vawg-kg-neo4j-launcher.jar'}{os.pathsep}{home / 'lib'}/*",
        MAIN_CLASS,
        "--home", str(data), "--port", str(port), "--ready-file", str(ready),
        "--pagecache", pagecache, "--tx-timeout", tx_timeout,
    ]
    env = {**os.environ, PASSWORD_ENV: password}
    with open(log_file, "ab") as log:
        # A new session: Ctrl-C in the terminal that ran `vawg-kg neo4j start` does not reach the server.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True, close_fds=True)
    _CHILDREN[proc.pid] = proc
    uri = f"bolt://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while not ready.exists():
        if proc.poll() is not None:
            raise StoreUnavailableError(
                f"Neo4j exited during start (exit {proc.returncode}); the end of {log_file}:\n{_log_tail(log_file)}"
                f"\n(more in {data / 'logs' / 'debug.log'})"
            )
        if time.monotonic() > deadline:
            _terminate(proc.pid, 10.0)
            raise StoreUnavailableError(
                f"Neo4j did not open Bolt on 127.0.0.1:{port} within {timeout_s:.0f}s; the end of {log_file}:\n"
                f"{_log_tail(log_file)}\n(more in {data / 'logs' / 'debug.log'})"
            )
        time.sleep(0.2)
    while not _bolt_answers(uri, DEFAULT_USER, password):
        if time.monotonic() > deadline or proc.poll() is not None:
            _terminate(proc.pid, 10.0)
            raise StoreUnavailableError(f"Neo4j wrote its ready file but Bolt at {uri} does not answer:\n"
                                        f"{_log_tail(log_file)}")
        time.sleep(0.2)
    meta = json.loads(ready.read_text())
    info = ServerInfo(uri=uri, user=DEFAULT_USER, password=password, pid=proc.pid, port=port,
                      data_dir=str(data), version=str(meta.get("version", version)), log_file=str(log_file))
    _write_state(info, state_path)
    return info


def _terminate(pid: int, timeout_s: float) -> bool:
    """SIGTERM (the launcher's shutdown hook stops the DBMS cleanly), SIGKILL after ``timeout_s``."""
    if not _alive(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    if (child := _CHILDREN.pop(pid, None)) is not None:
        child.wait()
    return True


def stop(info: ServerInfo | None = None, *, state_file: Path | None = None,
         timeout_s: float = STOP_TIMEOUT_S) -> ServerInfo | None:
    """Stop the server (``info``, else the one in ``state_file``); returns what was stopped, or None."""
    state_path = state_file or default_state_file()
    target = info or _read_state(state_path)
    if target is None:
        return None
    was_running = _terminate(target.pid, timeout_s)
    recorded = _read_state(state_path)
    if recorded is not None and recorded.pid == target.pid:
        state_path.unlink(missing_ok=True)
    return target if was_running else None


def kill(info: ServerInfo) -> None:
    """SIGKILL, no clean shutdown: for fault tests (the store must recover on the next start)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(info.pid, signal.SIGKILL)
    if (child := _CHILDREN.pop(info.pid, None)) is not None:
        child.wait()
    while _alive(info.pid):
        time.sleep(0.05)


def status(state_file: Path | None = None) -> ServerInfo | None:
    """The recorded server if its process is alive, else None."""
    info = _read_state(state_file or default_state_file())
    if info is None or not _alive(info.pid):
        return None
    return info


def connection_settings(state_file: Path | None = None, *, uri: str | None = None) -> ConnectionSettings:
    """Where Cypher goes: ``VAWG_KG_NEO4J_URI/USER/PASSWORD/DATABASE`` first, then the running server.

    An explicit ``uri`` wins over both; the recorded password is used only for the recorded server's URI.
    """
    env = os.environ
    info = _read_state(state_file or default_state_file())
    uri = uri or env.get("VAWG_KG_NEO4J_URI") or (info.uri if info else None)
    if not uri:
        raise StoreUnavailableError(
            "no Neo4j server is configured: start the project's one with `vawg-kg neo4j start`, "
            "or set VAWG_KG_NEO4J_URI, VAWG_KG_NEO4J_USER and VAWG_KG_NEO4J_PASSWORD"
        )
    from_state = info is not None and uri == info.uri
    user = env.get("VAWG_KG_NEO4J_USER") or (info.user if from_state and info else DEFAULT_USER)
    password = env.get("VAWG_KG_NEO4J_PASSWORD") or (info.password if from_state and info else "")
    database = env.get("VAWG_KG_NEO4J_DATABASE") or (info.database if from_state and info else DEFAULT_DATABASE)
    return ConnectionSettings(uri, user, password, database)
