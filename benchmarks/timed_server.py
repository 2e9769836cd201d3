"""``streamlit run`` with every script run timed inside the server process.

Used by :mod:`benchmarks.bench_load`::

    BENCH_RUN_LOG=/tmp/runs.tsv python -m benchmarks.timed_server run dashboard.py [options]

takes the place of ``streamlit run dashboard.py [options]``.  Before
Streamlit's command line starts, these hooks are installed (Streamlit 1.67):

* ``streamlit.runtime.scriptrunner.script_runner.exec_func_with_error_handling``
  — the call in ``ScriptRunner._run_script`` that executes one run of the
  script (a whole app run or a fragment rerun; a run stopped by a rerun
  request is one run, the rerun another).  Wrapping ``_run_script`` itself
  would merge a run with the reruns it loops over.  The time measured is the
  script's own execution: widget callbacks, ``dashboard.py`` and the page it
  runs, not the compile (cached) nor the sending of the messages, which
  happens on the server's event loop while the script runs;
* ``StreamlitPage.run`` — which page script the run executed
  (``st.navigation``'s page, e.g. ``pages/overview.py``; the innermost one);
* ``streamlit.elements.exception._exception`` (every exception box: an
  uncaught exception, one inside a fragment, or ``st.exception``) and
  ``st.error`` / ``container.error`` — counted per run, with their first words.

One tab-separated line per run is appended to the file named by
``BENCH_RUN_LOG``: wall-clock start (epoch s), duration (s), page script
(``dashboard.py (no page)`` when none ran: a stop before ``pg.run()``), exception
(``yes``/``no``), ``full``/``fragment``, outcome (``ok``, ``stop`` for
``st.stop``, ``rerun`` when interrupted by a rerun, ``exception``), exception
boxes, ``st.error`` boxes, session id, and the messages (≤ 300 characters).
Tracebacks stay in the server's own output (Streamlit logs them there).

Also here, for the benchmark: :func:`start_server` (this launcher on a free
port, like ``tests.browser.conftest.start_server``), :func:`read_log` and
:class:`Sampler` (the server's resident memory every ``SAMPLE_S`` seconds).
"""
from __future__ import annotations

import math
import os
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG_ENV = "BENCH_RUN_LOG"
SAMPLE_S = 10.0
FIELDS = ("wall", "seconds", "page", "exception", "kind", "outcome", "exceptions", "alerts",
          "session", "messages")


def _current_run() -> dict | None:
    """The record of the run going on in this thread (None outside a timed run)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "_bench_run", None) if ctx is not None else None


def _short(text: object) -> str:
    return " ".join(str(text).split())[:120]


def install(log_path: str) -> None:
    """Patch Streamlit so that each script run appends one line to ``log_path``."""
    import streamlit as st
    from streamlit.elements import alert, exception
    from streamlit.navigation.page import StreamlitPage
    from streamlit.runtime.scriptrunner import script_runner

    lock = threading.Lock()
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 — open for the process
    cwd = Path.cwd()
    run_exec = script_runner.exec_func_with_error_handling
    show_exception = exception._exception
    page_run = StreamlitPage.run
    alert_error = alert.AlertMixin.error
    st_error = st.error  # bound to the main DeltaGenerator when streamlit was imported

    def timed_exec(func, ctx):
        record = {"page": "", "exceptions": 0, "alerts": 0, "messages": []}
        outer = getattr(ctx, "_bench_run", None)
        ctx._bench_run = record
        kind = "fragment" if ctx.fragment_ids_this_run else "full"
        wall, start = time.time(), time.perf_counter()
        try:
            result = run_exec(func, ctx)
        finally:
            seconds = time.perf_counter() - start
            ctx._bench_run = outer
        _, _, rerun, premature, uncaught = result
        outcome = ("rerun" if rerun is not None else "exception" if uncaught is not None
                   else "stop" if premature else "ok")
        failed = uncaught is not None or record["exceptions"] > 0
        page = record["page"] or "dashboard.py (no page)"
        line = "\t".join([f"{wall:.3f}", f"{seconds:.4f}", page,
                          "yes" if failed else "no", kind, outcome, str(record["exceptions"]),
                          str(record["alerts"]), ctx.session_id,
                          " | ".join(record["messages"])[:300].replace("\t", " ")])
        with lock:
            log.write(line + "\n")
        return result

    def counted_exception(dg, ex, *args, **kwargs):
        record = _current_run()
        if record is not None:
            record["exceptions"] += 1
            record["messages"].append(_short(f"{type(ex).__name__}: {ex}"))
        return show_exception(dg, ex, *args, **kwargs)

    def named_run(self):
        record = _current_run()
        if record is not None:  # the innermost page wins (the frame runs inside _mpa_v1 once)
            page = self._page
            if isinstance(page, Path):
                page = page.resolve()
                page = page.relative_to(cwd) if page.is_relative_to(cwd) else page
            record["page"] = str(page if isinstance(page, Path) else getattr(
                page, "__name__", self.title))
        return page_run(self)

    def count_error(body) -> None:
        record = _current_run()
        if record is not None:
            record["alerts"] += 1
            record["messages"].append(_short(f"st.error: {body}"))

    def counted_error(self, body, *args, **kwargs):  # container.error(...)
        count_error(body)
        return alert_error(self, body, *args, **kwargs)

    def counted_st_error(body, *args, **kwargs):  # st.error(...)
        count_error(body)
        return st_error(body, *args, **kwargs)

    script_runner.exec_func_with_error_handling = timed_exec
    exception._exception = counted_exception
    StreamlitPage.run = named_run
    alert.AlertMixin.error = counted_error
    st.error = counted_st_error


def read_log(path) -> list[dict]:
    """The lines of a run log as dicts (``seconds`` and ``wall`` as floats)."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) < len(FIELDS) - 1:
            continue
        row = dict(zip(FIELDS, cells + [""] * (len(FIELDS) - len(cells))))
        row["wall"], row["seconds"] = float(row["wall"]), float(row["seconds"])
        row["exceptions"], row["alerts"] = int(row["exceptions"]), int(row["alerts"])
        rows.append(row)
    return rows


def start_server(data: Path, folder: Path, run_log: Path, server_log: Path):
    """The timed ``streamlit run dashboard.py`` on ``data`` (``DASHBOARD_DATA``), its
    data store and scenarios in ``folder`` (``DASHBOARD_CONFIG``), on a free port:
    (process, url).  ``run_log``: the run log; ``server_log``: the server's output."""
    from tests.browser.conftest import _free_port, start_logged

    config = folder / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{data}"\nfolder = "{folder / "var"}"\n',
                      encoding="utf-8")
    env = dict(os.environ, DASHBOARD_DATA=str(data), DASHBOARD_CONFIG=str(config))
    env[LOG_ENV] = str(run_log)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # no file watcher: edits to the code during a run must not reload modules mid-benchmark
    proc = start_logged([sys.executable, "-m", "benchmarks.timed_server", "run", "dashboard.py",
                         "--server.port", str(port), "--server.address", "127.0.0.1",
                         "--server.headless", "true", "--server.fileWatcherType", "none",
                         "--browser.gatherUsageStats", "false"],
                        server_log, url, cwd=ROOT, env=env)
    if proc is not None:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as resp:
            if resp.status == 200:
                return proc, url
        proc.terminate()
    raise RuntimeError(f"streamlit did not start; see {server_log}")


def rss_mb(pid: int) -> float:
    """Resident set size of process ``pid`` in MB."""
    try:
        import psutil
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return math.nan
    return psutil.Process(pid).memory_info().rss / 2**20


def stop_server(proc, timeout_s: float = 60.0) -> None:
    """Stop a server started here: SIGTERM, then SIGKILL if it is still there after
    ``timeout_s`` (a Streamlit server busy with sessions can outlive a SIGTERM)."""
    import subprocess

    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


def exit_on_sigterm() -> None:
    """Make SIGTERM end the program like Ctrl-C would, through its ``finally`` blocks
    (which stop the servers); by default SIGTERM ends Python without them."""
    import signal

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def even_out(root: int) -> int:
    """Put every thread of ``root``'s descendant processes that runs at a lower nice
    value than this process back to ours; return how many were changed.

    Chromium, run as root, gives its browser and GPU processes' display-critical
    threads nice -8, where its painting (software rasterisation) then outranks the
    server; the benchmark wants them to compete on equal terms."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]),
                                []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    ours, changed, todo = os.getpriority(os.PRIO_PROCESS, 0), 0, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        for task in Path(f"/proc/{pid}/task").glob("[0-9]*"):
            try:
                if int((task / "stat").read_text().rsplit(")", 1)[1].split()[16]) < ours:
                    os.setpriority(os.PRIO_PROCESS, int(task.name), ours)
                    changed += 1
            except (OSError, ValueError, IndexError):
                continue
    return changed


class Sampler(threading.Thread):
    """The server's RSS and CPU time every ``SAMPLE_S`` seconds: ``samples`` of
    (s since start, MB, CPU s); every 2 s, :func:`even_out` on this process's
    descendants (the server, the browsers) unless ``even`` is false."""

    def __init__(self, pid: int, even: bool = True):
        super().__init__(daemon=True)
        self.pid, self.samples, self.start_time = pid, [], time.monotonic()
        self.stopped, self.even, self.evened = threading.Event(), even, 0

    def sample(self) -> None:
        self.samples.append((time.monotonic() - self.start_time, rss_mb(self.pid),
                             cpu_s(self.pid)))

    def run(self) -> None:
        due = time.monotonic() + SAMPLE_S
        while not self.stopped.wait(SAMPLE_S / 5):
            self.evened += even_out(os.getpid()) if self.even else 0
            if time.monotonic() >= due:
                self.sample()
                due += SAMPLE_S


def main() -> None:
    log_path = os.environ.get(LOG_ENV)
    if log_path:
        install(log_path)
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
