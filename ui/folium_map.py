"""``st_folium`` without the extra page run when a map is first drawn.

streamlit-folium (0.27.4) tells the browser that the map's last value was
``{"last_object_clicked_count": None}``, while the browser starts its own count
at ``0``. The browser sees a change as soon as the map has been drawn and sends
it: one more run of the whole page about 250 ms after the map appears. On
分组规划 that run closed a select box the user had just opened and could undo a
quick click elsewhere (tests/browser/test_review_browser failed on it).

:func:`st_folium` here gives the browser the value it starts from, so nothing
is sent until the user clicks. The browser's starting state is read from the
package's own bundle in the tests (tests/ui/test_folium_map.py), so an upgrade
that changes it is noticed.
"""
from __future__ import annotations

import streamlit_folium

# What the browser's map starts from for the values that Python's defaults get wrong.
BROWSER_START = {"last_object_clicked_count": 0}


def _component_with_browser_start(component):
    def call(*args, default: dict | None = None, **kwargs):
        if default:
            default = {k: BROWSER_START.get(k, v) if v is None else v for k, v in default.items()}
        return component(*args, default=default, **kwargs)
    call.browser_start = True
    return call


def st_folium(*args, **kwargs):
    """:func:`streamlit_folium.st_folium` with the browser's starting value as default."""
    if not getattr(streamlit_folium._component_func, "browser_start", False):
        streamlit_folium._component_func = _component_with_browser_start(
            streamlit_folium._component_func)
    return streamlit_folium.st_folium(*args, **kwargs)
