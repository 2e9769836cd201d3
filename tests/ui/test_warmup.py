"""The background preparation of the other pages: it computes through the pages'
own cached functions, survives any dataset, and keeps Streamlit's log quiet."""
import logging
import threading

from tests.conftest import DEMO
from ui import cached, cached_grids, warmup
from ui.cached import Source


def test_warm_up_fills_the_pages_caches(caplog, monkeypatch):
    """After the warm-up, the 网格治理 page's city deck is served from the cache."""
    built = []
    real = cached_grids.build_grid_deck
    here = threading.current_thread()  # other tests' warm-up threads may be building too

    def counted(*args, **kwargs):
        if threading.current_thread() is here:
            built.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(cached_grids, "build_grid_deck", counted)
    src = Source(str(DEMO), DEMO.stat().st_mtime + 0.25, True)  # a version no test has cached
    with caplog.at_level(logging.INFO, logger="ui.warmup"):
        warmup._warm(src, cached.params(), 0.0)
    assert built == [1]
    cached_grids.deck(src, None, None)  # what the page asks for
    assert built == [1]
    assert not [r for r in caplog.records if r.name == "ui.warmup"]


def test_warm_up_stops_quietly_on_a_dataset_it_cannot_read(tmp_path, caplog):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with caplog.at_level(logging.INFO, logger="ui.warmup"):
        warmup._warm(Source(str(bad), 1.0, False), cached.params(), 0.0)
    assert any("warm-up stopped" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.name == "ui.warmup" and r.levelno >= logging.ERROR]


def test_only_the_warm_up_threads_context_warnings_are_dropped():
    def record(thread_name, message):
        rec = logging.LogRecord("x", logging.WARNING, __file__, 1, message, None, None)
        rec.threadName = thread_name
        return rec
    keep = warmup._OwnThreadOnly().filter
    assert not keep(record(warmup.THREAD_NAME, "Thread 'x': missing ScriptRunContext!"))
    assert keep(record("MainThread", "Thread 'x': missing ScriptRunContext!"))
    assert keep(record(warmup.THREAD_NAME, "something else"))
    assert threading.current_thread().name != warmup.THREAD_NAME
