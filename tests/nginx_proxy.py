"""A throwaway nginx (Debian's ``/usr/sbin/nginx``) in front of N upstream servers.

``start_nginx(tmpdir, upstream_ports)`` runs the production site file
``deploy/nginx/lianjian.conf`` itself — sticky sessions by the cookie ``lianjian_route``,
WebSocket upgrade headers, HTTP/1.1 to the upstreams, long read timeouts, gzip for
JavaScript, CSS, JSON … — with only these lines replaced:

* the ``server`` lines of ``upstream lianjian_streamlit``: one per port given;
* ``listen 80;``: ``listen 127.0.0.1:<port>;`` (a free port unless one is given);
* the access and error logs: files in the instance's folder.

One line is added: the response header ``X-Lianjian-Upstream`` (``$upstream_addr``), for
the tests to see which upstream answered (:meth:`Proxy.route_cookie` uses it).

The instance has a folder of its own: ``nginx.conf`` (pid file, error log, the temporary
paths of request bodies and proxied responses, ``daemon off``), the site file, the logs.
nginx runs in the foreground as a child of the tests; when the tests run as root the
workers run as ``www-data`` (the ``user`` directive, written only then), and a folder
under a private parent (pytest's ``/tmp/pytest-of-root`` is mode 0700) is replaced by one
in the system's temporary directory, which the workers can reach for their temporary
files (uploads larger than the buffers, large proxied responses).

Readiness is polled (the pid file nginx writes once its sockets listen, then a connection),
never waited for by a fixed time.  ``stop()`` ends nginx (SIGTERM, then SIGKILL if it
lingers) and removes the folder; it is registered with :mod:`atexit` as well.
"""
from __future__ import annotations

import atexit
import http.client
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

NGINX = Path(os.environ.get("LIANJIAN_NGINX", "/usr/sbin/nginx"))
ROOT = Path(__file__).resolve().parent.parent
SITE_FILE = ROOT / "deploy" / "nginx" / "lianjian.conf"
ROUTE_COOKIE = "lianjian_route"
UPSTREAM_HEADER = "X-Lianjian-Upstream"
WORKER_USERS = ("www-data", "nobody")     # the workers' user when the tests run as root
START_TIMEOUT = 30.0
SOCKET_PATH_MAX = 100


class ProxyError(RuntimeError):
    """nginx could not be started; the text says why (and what to install)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _others_can_reach(folder: Path) -> bool:
    return all(part.stat().st_mode & stat.S_IXOTH for part in [folder, *folder.parents])


def _worker_user() -> tuple[str, str] | None:
    """(user, group) of the workers when we are root, else None (no ``user`` directive:
    nginx would only warn that it makes sense for root alone)."""
    if os.geteuid() != 0:
        return None
    import grp
    import pwd
    for name in WORKER_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, grp.getgrgid(entry.pw_gid).gr_name
    raise ProxyError(f"running as root and none of the users {WORKER_USERS} exists")


def site_config(upstream_ports, port: int, folder: Path, host: str = "127.0.0.1",
                site_file: Path = SITE_FILE) -> str:
    """The production site file with the test's upstreams, listen address and logs."""
    text = site_file.read_text(encoding="utf-8")
    block = re.search(r"upstream lianjian_streamlit \{\n(.*?)\n\}", text, re.S)
    if block is None:
        raise ProxyError(f"{site_file}: no 'upstream lianjian_streamlit {{ … }}' block")
    servers = re.findall(r"^\s*server \S+(.*);$", block.group(1), re.M)
    if not servers:
        raise ProxyError(f"{site_file}: no server line in the upstream block")
    options = servers[0]                                      # e.g. max_fails=3 …
    lines = "\n".join(f"    server {host}:{p}{options};" for p in upstream_ports)
    body, first = block.group(1), True
    kept = []
    for line in body.split("\n"):               # the new lines where the first one was
        if re.match(r"^\s*server \S+.*;$", line):
            if first:
                kept.append(lines)
            first = False
        else:
            kept.append(line)
    new_block = "upstream lianjian_streamlit {\n" + "\n".join(kept) + "\n}"
    text = text[:block.start()] + new_block + text[block.end():]
    replacements = [
        (r"^(\s*)listen 80;$", rf"\g<1>listen {host}:{port};"),
        (r"^(\s*)access_log \S+;$", rf"\g<1>access_log {folder}/access.log lianjian_test;"),
        (r"^(\s*)error_log\s+\S+ (\w+);$", rf"\g<1>error_log {folder}/error.log \g<2>;"),
        (r"^(\s*)add_header Set-Cookie \$lianjian_set_route always;$",
         rf"\g<0>\n\g<1>add_header {UPSTREAM_HEADER} $upstream_addr always;"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        if count != 1:
            raise ProxyError(f"{site_file}: the line matching {pattern!r} is missing")
    return text


MAIN_CONFIG = """\
# throwaway nginx of the tests (tests/nginx_proxy.py); the site is lianjian.conf
{user}worker_processes 1;
daemon off;
master_process on;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    default_type application/octet-stream;
    log_format lianjian_test '$remote_addr "$request" $status $body_bytes_sent '
                             'upstream=$upstream_addr route=$lianjian_route '
                             'gzip=$gzip_ratio rt=$request_time';
    client_body_temp_path {folder}/tmp/client_body;
    proxy_temp_path       {folder}/tmp/proxy;
    fastcgi_temp_path     {folder}/tmp/fastcgi;
    uwsgi_temp_path       {folder}/tmp/uwsgi;
    scgi_temp_path        {folder}/tmp/scgi;
    include {folder}/lianjian.conf;
}}
"""


@dataclass
class Proxy:
    """A running throwaway nginx; ``url`` is ``http://127.0.0.1:<port>``."""

    folder: Path
    port: int
    upstream_ports: tuple
    process: subprocess.Popen
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def upstream_of(self, cookie_value: str, path: str = "/") -> int:
        """The port of the upstream that answers ``path`` for that route cookie."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": f"{ROUTE_COOKIE}={cookie_value}"})
            response = conn.getresponse()
            response.read()
            address = response.getheader(UPSTREAM_HEADER) or ""
        finally:
            conn.close()
        if not address:
            raise ProxyError(f"no {UPSTREAM_HEADER} in the answer to {path}")
        return int(address.split(",")[-1].strip().rsplit(":", 1)[1])

    def route_cookie(self, upstream_port: int, path: str = "/", tries: int = 200) -> str:
        """A value of the cookie ``lianjian_route`` that nginx sends to ``upstream_port``
        (found by asking; for a test that must reach one process in particular)."""
        if upstream_port not in self.upstream_ports:
            raise ValueError(f"{upstream_port} is not an upstream of this proxy")
        for _ in range(tries):
            value = uuid.uuid4().hex
            if self.upstream_of(value, path) == upstream_port:
                return value
        raise ProxyError(f"no cookie routed to {upstream_port} in {tries} tries")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """End nginx (fast shutdown, then kill) and remove the folder.  Safe twice."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            atexit.unregister(self.stop)


def _make_folder(tmpdir, user) -> Path:
    parent = Path(tmpdir) if tmpdir is not None else None
    folder = Path(tempfile.mkdtemp(prefix="nginx-", dir=parent))
    too_long = len(str(folder)) > SOCKET_PATH_MAX
    if too_long or (user and not _others_can_reach(folder.parent)):
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix="lianjian-nginx-"))
    folder.chmod(0o755)
    (folder / "tmp").mkdir(mode=0o755)
    return folder


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_ready(proxy: Proxy, deadline: float) -> None:
    """The pid file names our process (its sockets are listening), then a connection."""
    pid_file = proxy.folder / "nginx.pid"
    while True:
        if proxy.process.poll() is not None:
            raise ProxyError(f"nginx ended with {proxy.process.returncode}:\n"
                             f"{_tail(proxy.folder / 'stderr.log')}\n{_tail(proxy.error_log)}")
        try:
            ready = int(pid_file.read_text().strip() or 0) == proxy.process.pid
        except (OSError, ValueError):
            ready = False
        if ready:
            try:
                socket.create_connection((proxy.host, proxy.port), timeout=5).close()
                return
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise ProxyError(f"nginx did not listen on {proxy.port} within "
                             f"{START_TIMEOUT:.0f} s:\n{_tail(proxy.error_log)}")
        time.sleep(0.02)   # a polling interval, not a wait for an assumed duration


def start_nginx(tmpdir, upstream_ports, port: int | None = None,
                host: str = "127.0.0.1") -> Proxy:
    """Start nginx on ``host:port`` (a free port when None) proxying to the upstreams
    ``host:p`` for ``p`` in ``upstream_ports``; see the module text."""
    if not os.access(NGINX, os.X_OK):
        raise ProxyError(f"nginx is not installed ({NGINX} missing).  Install it with: "
                         f"sudo apt-get update && sudo apt-get install -y nginx   "
                         f"（缺少 nginx：请安装 Debian 软件包 nginx）")
    upstream_ports = tuple(int(p) for p in upstream_ports)
    if not upstream_ports:
        raise ValueError("at least one upstream port is needed")
    user = _worker_user()
    attempts = 1 if port else 3          # a free port may be taken before nginx binds it
    for attempt in range(attempts):
        folder = _make_folder(tmpdir, user)
        listen = port or _free_port()
        (folder / "lianjian.conf").write_text(
            site_config(upstream_ports, listen, folder, host), encoding="utf-8")
        user_line = f"user {user[0]} {user[1]};\n" if user else ""
        (folder / "nginx.conf").write_text(
            MAIN_CONFIG.format(folder=folder, user=user_line), encoding="utf-8")
        with open(folder / "stderr.log", "wb") as stderr:
            process = subprocess.Popen(
                [str(NGINX), "-p", f"{folder}/", "-c", str(folder / "nginx.conf"),
                 "-e", str(folder / "error.log")],
                stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr, cwd=folder)
        proxy = Proxy(folder=folder, port=listen, upstream_ports=upstream_ports,
                      process=process, host=host)
        atexit.register(proxy.stop)
        try:
            _wait_ready(proxy, time.monotonic() + START_TIMEOUT)
            return proxy
        except BaseException as error:
            proxy.stop()
            if attempt + 1 == attempts or "in use" not in str(error):
                raise
    raise AssertionError("unreachable")
