"""Start fetching deck.gl's JavaScript with a page's first message.

Streamlit's frontend loads each element's code when the element is first
drawn: deck.gl (``DeckGlJsonChart``, about 3 MB, then its WebGL device
module) was requested only once the map's message had been drawn, after
the sidebar's, the metrics' and the charts' code — on a fresh browser the
map painted about a second after it could have.  ``<link rel="modulepreload">``
for those modules, sent in the sidebar's first markdown, lets the browser
fetch and compile them while the page's figures are still on their way.
Everything comes from Streamlit's own static files, on this server.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import streamlit

_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"
_IMPORT = re.compile(r'from"\./([\w.\-]+\.js)"')


@functools.cache
def deck_modules(folder: Path = _JS) -> tuple[str, ...]:
    """File names (in ``folder``) of the deck.gl chart module, the modules it
    imports and its WebGL device module; empty when this Streamlit has none."""
    charts = sorted(folder.glob("DeckGlJsonChart.*.js"))
    if not charts:
        return ()
    chart = charts[0]
    imports = _IMPORT.findall(chart.read_text(encoding="utf-8", errors="replace"))
    devices = [p.name for p in sorted(folder.glob("webgl-device.*.js"))]
    return tuple(dict.fromkeys([chart.name, *imports, *devices]))


def deck_preload_html(base_path: str = "") -> str:
    """``<link rel="modulepreload">`` tags for :func:`deck_modules`, under the
    server's ``base_path`` (``server.baseUrlPath``)."""
    prefix = "/" + "/".join(p for p in base_path.strip("/").split("/") if p)
    prefix = prefix.rstrip("/") + "/static/js/"
    css = "".join(f'<link rel="preload" as="style" href="{prefix[:-3]}css/{p.name}">'
                  for p in sorted((_JS.parent / "css").glob("DeckGlJsonChart.*.css")))
    return css + "".join(f'<link rel="modulepreload" href="{prefix}{name}">'
                         for name in deck_modules())
