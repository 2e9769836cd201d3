"""A throwaway PostgreSQL cluster (Debian's PostgreSQL 15 + PostGIS 3) for the tests.

``start_cluster(tmpdir)`` runs ``initdb`` and ``pg_ctl start`` in a folder of its own and
returns a :class:`Cluster`:

* it listens on a Unix socket inside that folder and on ``127.0.0.1`` with a free port;
* authentication is ``trust`` (a cluster that lives for one test session);
* ``fsync``, ``synchronous_commit`` and ``full_page_writes`` are off, ``initdb -N``: fast,
  and nothing is worth keeping after a crash;
* a template database ``lianjian_template`` holds the extensions ``postgis`` and ``citext``
  (created by the superuser, as a county IT department would); every database of the
  cluster is copied from it with ``CREATE DATABASE … TEMPLATE``, which takes a fraction of
  the time of ``CREATE EXTENSION postgis``;
* ``Cluster.url`` is the database ``lianjian`` owned by the ordinary (not superuser) role
  ``lianjian``, the role the application uses in production; ``Cluster.admin_url`` is the
  superuser ``postgres``.

PostgreSQL refuses to run as root.  When the tests run as root the server runs as the
``postgres`` system user (the Debian package creates it) and the folder belongs to that
user; a folder under a private parent (pytest's ``/tmp/pytest-of-root`` is mode 0700) is
replaced by a fresh folder in the system's temporary directory, which that user can reach.
When the tests do not run as root, the server runs as the current user.

Waiting is on conditions: ``pg_ctl start -w`` (which polls the postmaster's status), then
``pg_isready`` polled until it answers.  ``stop()`` is ``pg_ctl stop -m immediate`` and
removes the folder; it is also registered with :mod:`atexit`, so an interpreter that ends
without calling it still leaves no server behind.

The admin statements run through ``psql`` (Debian's ``postgresql-client-15``), so this
module does not need psycopg.
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_VERSION = "15"
BIN = Path(os.environ.get("LIANJIAN_PG_BIN", f"/usr/lib/postgresql/{PG_VERSION}/bin"))
APT_PACKAGES = f"postgresql-{PG_VERSION} postgresql-{PG_VERSION}-postgis-3"
EXTENSIONS = ("postgis", "citext")
SUPERUSER = "postgres"
APP_ROLE = "lianjian"
APP_DATABASE = "lianjian"
TEMPLATE = "lianjian_template"
SYSTEM_USER = "postgres"          # who runs the server when the tests run as root
START_TIMEOUT = 60.0
SOCKET_PATH_MAX = 100             # sun_path is 108 bytes; ".s.PGSQL.nnnnn" is appended
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ClusterError(RuntimeError):
    """The cluster could not be set up; the text says why (and what to install)."""


def _missing_software() -> str | None:
    """None when the server's binaries, psql and the PostGIS extension files are there,
    else a message naming the Debian packages to install."""
    missing = [name for name in ("initdb", "pg_ctl", "postgres", "pg_isready", "psql")
               if not os.access(BIN / name, os.X_OK)]
    if missing:
        return (f"PostgreSQL {PG_VERSION} is not installed ({', '.join(missing)} missing in "
                f"{BIN}).  Install it with: sudo apt-get update && sudo apt-get install -y "
                f"{APT_PACKAGES}   (缺少 PostgreSQL：请安装 {APT_PACKAGES})")
    share = Path(f"/usr/share/postgresql/{PG_VERSION}/extension")
    absent = [ext for ext in EXTENSIONS if not (share / f"{ext}.control").exists()]
    if absent and BIN == Path(f"/usr/lib/postgresql/{PG_VERSION}/bin"):
        package = {"postgis": f"postgresql-{PG_VERSION}-postgis-3",
                   "citext": f"postgresql-{PG_VERSION}"}
        names = " ".join(sorted({package[ext] for ext in absent}))
        return (f"The PostgreSQL extension(s) {', '.join(absent)} are not installed "
                f"({share}).  Install them with: sudo apt-get update && sudo apt-get "
                f"install -y {names}   (缺少扩展 {', '.join(absent)}：请安装 {names})")
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _others_can_reach(folder: Path) -> bool:
    """True when every folder from ``/`` down to ``folder`` can be traversed by 'others'
    (the server's user is neither root nor in root's group)."""
    for part in [folder, *folder.parents]:
        if not part.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def _run_as() -> dict:
    """``subprocess`` keywords that run a command as the server's user."""
    if os.geteuid() != 0:
        return {}
    try:
        import pwd
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise ClusterError(
            f"The tests run as root and PostgreSQL refuses root, but there is no "
            f"'{SYSTEM_USER}' system user.  Install {APT_PACKAGES} (the package creates "
            f"it) or run the tests as an ordinary user.") from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _environment() -> dict:
    """The environment of the server's commands: no PG* variables of the caller, a UTF-8
    locale, a HOME the server's user can read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", HOME=tempfile.gettempdir())
    return env


@dataclass
class Cluster:
    """A running throwaway cluster.  ``url``: the application's database (role
    ``lianjian``, owner, not superuser); ``admin_url``: the superuser on the same database."""

    folder: Path
    port: int
    socket_dir: Path
    url: str = ""
    admin_url: str = ""
    server_version: str = ""
    postgis_version: str = ""
    _stopped: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    def url_of(self, database: str, user: str = APP_ROLE) -> str:
        """The ``postgresql://`` URL (TCP, 127.0.0.1) of ``database`` as ``user``."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` as the superuser through the Unix socket; return psql's output
        (unaligned, tuples only).  Raises :class:`ClusterError` with psql's message."""
        proc = subprocess.run(
            [str(BIN / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER,
             "-d", database, "-c", sql],
            capture_output=True, text=True, env=_environment(), timeout=120)
        if proc.returncode != 0:
            raise ClusterError(f"psql failed on {sql!r}: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def new_database(self, name: str) -> str:
        """A fresh database ``name`` (lower-case letters, digits, ``_``) with postgis and
        citext, owned by ``lianjian``; returns its URL.  Copied from the template."""
        if not _NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        with self._lock:                 # the template may have one copier at a time
            self.psql(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE} OWNER {APP_ROLE}')
        return self.url_of(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, ending the connections still open on it."""
        if not _NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """``pg_ctl stop -m immediate`` and remove the folder.  Safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            if (self.data_dir / "postmaster.pid").exists():
                subprocess.run([str(BIN / "pg_ctl"), "stop", "-m", "immediate", "-w",
                                "-t", "30", "-D", str(self.data_dir)],
                               capture_output=True, env=_environment(), cwd=self.folder,
                               timeout=60, **_run_as())
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            atexit.unregister(self.stop)


def _make_folder(tmpdir) -> Path:
    """The cluster's own folder: a new one inside ``tmpdir`` (or the system temporary
    directory); owned by the server's user; a short path, for the socket."""
    run_as = _run_as()
    parent = Path(tmpdir) if tmpdir is not None else None
    folder = Path(tempfile.mkdtemp(prefix="pg-", dir=parent))
    too_long = len(str(folder / "sock" / ".s.PGSQL.65535")) > SOCKET_PATH_MAX
    if too_long or (run_as and not _others_can_reach(folder.parent)):
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix="lianjian-pg-"))
    if run_as:
        folder.chmod(0o755)
        os.chown(folder, run_as["user"], run_as["group"])
    return folder


def _wait_ready(cluster: Cluster, deadline: float) -> None:
    """Poll ``pg_isready`` on the TCP address until the server accepts connections."""
    while True:
        proc = subprocess.run([str(BIN / "pg_isready"), "-q", "-h", "127.0.0.1",
                               "-p", str(cluster.port), "-U", SUPERUSER, "-d", "postgres",
                               "-t", "5"], env=_environment(), capture_output=True)
        if proc.returncode == 0:
            return
        if proc.returncode == 3 or time.monotonic() > deadline:    # 3: bad parameters
            raise ClusterError(f"PostgreSQL did not accept connections on port "
                               f"{cluster.port}:\n{_tail(cluster.log_file)}")
        time.sleep(0.05)   # a polling interval, not a wait for an assumed duration


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _start_server(cluster: Cluster) -> None:
    """``pg_ctl start -w`` with the cluster's port; raises with the log's end on failure."""
    run_as = _run_as()
    options = f"-p {cluster.port}"
    proc = subprocess.run(
        [str(BIN / "pg_ctl"), "start", "-w", "-t", str(int(START_TIMEOUT)),
         "-D", str(cluster.data_dir), "-l", str(cluster.log_file), "-o", options],
        capture_output=True, text=True, env=_environment(), cwd=cluster.folder,
        timeout=START_TIMEOUT + 30, **run_as)
    if proc.returncode != 0:
        raise ClusterError(f"pg_ctl start failed ({proc.stdout.strip()} "
                           f"{proc.stderr.strip()}):\n{_tail(cluster.log_file)}")


SETTINGS = """
# throwaway test cluster (tests/pg_cluster.py): speed over durability
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_connections = 200
shared_buffers = 64MB
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
"""
# A cluster as a deployment runs it (benchmarks): PostgreSQL's durable defaults.
DURABLE_SETTINGS = "\n".join(line for line in SETTINGS.splitlines()
                             if not line.startswith(("fsync", "synchronous_commit",
                                                     "full_page_writes", "#"))) + "\n"


def start_cluster(tmpdir=None, durable: bool = False) -> Cluster:
    """Create and start a cluster in a new folder inside ``tmpdir``; see the module text.
    ``durable``: fsync and synchronous commits on, as in a deployment (benchmarks).
    Raises :class:`ClusterError` (with the apt line when software is missing)."""
    problem = _missing_software()
    if problem:
        raise ClusterError(problem)
    run_as = _run_as()
    folder = _make_folder(tmpdir)
    socket_dir = folder / "sock"
    cluster = Cluster(folder=folder, port=0, socket_dir=socket_dir)
    atexit.register(cluster.stop)
    try:
        socket_dir.mkdir()
        if run_as:
            os.chown(socket_dir, run_as["user"], run_as["group"])
        proc = subprocess.run(
            [str(BIN / "initdb"), "-N", "-D", str(cluster.data_dir), "-U", SUPERUSER,
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True, env=_environment(), cwd=folder, timeout=300,
            **run_as)
        if proc.returncode != 0:
            raise ClusterError(f"initdb failed:\n{proc.stdout}\n{proc.stderr}")
        with open(cluster.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(DURABLE_SETTINGS if durable else SETTINGS)
            conf.write(f"listen_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{socket_dir}'\n")
        deadline = time.monotonic() + START_TIMEOUT
        for attempt in range(3):     # a free port may be taken before the server binds it
            cluster.port = _free_port()
            try:
                _start_server(cluster)
                break
            except ClusterError as error:
                if attempt == 2 or "already in use" not in str(error):
                    raise
        _wait_ready(cluster, deadline)
        _prepare(cluster)
        return cluster
    except BaseException:
        cluster.stop()
        raise


def _prepare(cluster: Cluster) -> None:
    """The application's role, the template with the extensions, the first database."""
    cluster.psql(f"CREATE ROLE {APP_ROLE} LOGIN")
    cluster.psql(f"CREATE DATABASE {TEMPLATE}")
    cluster.psql("; ".join(f"CREATE EXTENSION {ext}" for ext in EXTENSIONS), TEMPLATE)
    cluster.postgis_version = cluster.psql("SELECT PostGIS_Lib_Version()", TEMPLATE)
    cluster.psql(f"ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    cluster.server_version = cluster.psql("SHOW server_version")
    cluster.url = cluster.new_database(APP_DATABASE)
    cluster.admin_url = cluster.url_of(APP_DATABASE, SUPERUSER)
