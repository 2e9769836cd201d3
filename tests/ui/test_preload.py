"""ui.preload: the deck.gl modules the sidebar asks the browser to fetch early."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from ui import preload


def test_the_installed_streamlit_has_the_deck_modules():
    names = preload.deck_modules()
    assert names[0].startswith("DeckGlJsonChart.") and names[0].endswith(".js")
    assert any(n.startswith("webgl-device.") for n in names)
    assert all((preload._JS / n).is_file() for n in names)      # served by this Streamlit
    assert len(names) == len(set(names)) > 3


def test_the_modules_a_chart_imports_are_read_from_its_code(tmp_path: Path):
    (tmp_path / "DeckGlJsonChart.abc.js").write_text(
        'import{a as b}from"./dep.one.js";import{c}from"./dep-two.x.js";', encoding="utf-8")
    (tmp_path / "webgl-device.q.js").write_text("", encoding="utf-8")
    assert preload.deck_modules.__wrapped__(tmp_path) == (
        "DeckGlJsonChart.abc.js", "dep.one.js", "dep-two.x.js", "webgl-device.q.js")
    assert preload.deck_modules.__wrapped__(tmp_path / "none") == ()


def test_links_carry_the_base_path():
    assert '<link rel="modulepreload" href="/static/js/DeckGlJsonChart.' in \
        preload.deck_preload_html("")
    html = preload.deck_preload_html("/ljwg/")
    assert 'href="/ljwg/static/js/DeckGlJsonChart.' in html
    assert 'rel="preload" as="style" href="/ljwg/static/css/DeckGlJsonChart.' in html
    assert "http" not in html                                     # on this server only


def test_the_sidebar_sends_the_links_first():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert "modulepreload" in at.sidebar.markdown[0].value
