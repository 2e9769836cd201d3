"""The briefing screen's size as the browser measures it, so that 汇报模式 and a
briefing sequence frame their map and size their charts for the screen they are
on: a 1920×1080 projector, a 4K 3840×2160 screen or a 6656×1792 拼接屏.

The page's CSS (:func:`ui.briefing.briefing_css`) sizes text and panels in rem
(the root font follows the screen's height); the map's canvas and the Vega
charts are drawn in pixels, and the server does not know the screen.  A small
``st.components.v2`` component reads, in the browser, the root font size (the
*scale*: 1 at 1080 px high, 2 at 2160) and the map's size, and sends them only
when they differ from what the server drew with — on a 1080p screen nothing is
sent; on a 4K screen one more run follows the first and the map fills its
place.  A resized window is measured again.

>>> screen_scale({"scale": 2.0}), screen_scale({}), screen_scale({"scale": "x"})
(2.0, 1.0, 1.0)
>>> map_px({"map": [2100, 1650]}, (820, 740)), map_px({"map": None}, (820, 740))
((2100, 1650), (820, 740))
"""
from __future__ import annotations

import math

import streamlit as st

KEY = "briefing_screen"
# Sent again only when the map's framing would change by a quarter zoom level or more.
ZOOM_STEP = 0.25
# The area is framed in this share of the map's size (its border inside the panel).
MARGIN = 0.85

_JS = r"""
export default function(component) {
  const { data, setStateValue } = component;
  const used = data || {};
  let timer = null;
  let tries = 0;
  const measure = () => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const scale = Math.round(rem / 16 * 4) / 4;
    const map = document.querySelector('[data-testid="stMain"] [data-testid="stDeckGlJsonChart"]');
    const box = map ? map.getBoundingClientRect() : null;
    const size = box && box.width > 0 && box.height > 0
      ? [Math.round(box.width / 10) * 10, Math.round(box.height / 10) * 10] : null;
    if (!size && tries++ < 50) {  // the map not laid out yet: again in 0.2 s (10 s at most)
      timer = setTimeout(measure, 200);
      return;
    }
    const drawn = used.map || null;
    const reframe = size && drawn
      ? Math.abs(Math.log2(Math.min(size[0] / drawn[0], size[1] / drawn[1]))) >= used.step
      : false;
    if (scale !== used.scale || reframe) setStateValue("size", { scale: scale, map: size });
  };
  const later = () => { clearTimeout(timer); tries = 0; timer = setTimeout(measure, 300); };
  requestAnimationFrame(() => requestAnimationFrame(measure));
  window.addEventListener("resize", later);
  return () => { clearTimeout(timer); window.removeEventListener("resize", later); };
}
"""
_component = st.components.v2.component("lianjian.screen", js=_JS)


def measured() -> dict:
    """What the browser reported last (``{"scale": …, "map": [w, h] | None}``), or ``{}``."""
    state = st.session_state.get(KEY)
    try:
        size = state["size"] if state is not None else None
    except (KeyError, TypeError):
        size = None
    return dict(size) if isinstance(size, dict) else {}


def screen_scale(size: dict) -> float:
    """The screen's scale (rem / 16 px) in ``size``; 1 when unknown."""
    value = size.get("scale")
    return float(value) if isinstance(value, (int, float)) and 0.5 <= value <= 4 else 1.0


def map_px(size: dict, default: tuple) -> tuple:
    """The map's size in pixels in ``size``, else ``default`` (the 1080p layout's)."""
    value = size.get("map")
    if (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, (int, float)) and 100 <= v <= 20000 for v in value)):
        return int(value[0]), int(value[1])
    return default


def framing_px(size: dict, default: tuple) -> tuple:
    """The size to frame the area in: the measured map less a margin (:data:`MARGIN`), or
    ``default`` (the 1080p layout's framing) before anything is measured.

    >>> framing_px({"map": [2000, 1600]}, (820, 740))
    (1700, 1360)
    """
    measured_px = map_px(size, None)
    if measured_px is None:
        return default
    return round(measured_px[0] * MARGIN), round(measured_px[1] * MARGIN)


def watch(drawn_px: tuple, scale: float) -> None:
    """Mount the measuring component (at the end of the screen): the browser compares
    the map's size and the scale with ``drawn_px`` and ``scale`` (what this run drew
    with) and sends its own when the framing or the scale would change."""
    step = max(ZOOM_STEP, 1e-3)
    _component(key=KEY, data={"map": list(drawn_px), "scale": scale, "step": step},
               default={"size": None}, on_size_change=lambda: None)


def zoom_change(old_px: tuple, new_px: tuple) -> float:
    """The zoom levels between framing in ``old_px`` and in ``new_px``.

    >>> zoom_change((820, 740), (1640, 1480))
    1.0
    """
    return math.log2(min(new_px[0] / old_px[0], new_px[1] / old_px[1]))
