"""A real CJK font for matplotlib: static maps never draw tofu boxes.

Matplotlib's default fonts (DejaVu) have no Chinese glyphs; text drawn with
them comes out as empty boxes with a "Glyph … missing" warning.  The static
maps therefore use Noto Sans CJK SC (Debian's ``fonts-noto-cjk``, a
``.ttc`` collection that matplotlib ≥ 3.10 reads face by face).  When no CJK
font can be found, :func:`cjk_font` refuses with a Chinese message naming the
package to install instead of drawing boxes.

>>> cjk_font() in PREFERRED
True
>>> has_glyphs(cjk_font(), "联建网格看板")
True
"""
from __future__ import annotations

import functools
import logging
import shutil
import subprocess

from matplotlib import font_manager

log = logging.getLogger(__name__)

# Families tried in order: Simplified Chinese first (its glyph shapes are the
# mainland standard), then the other Noto/Source Han faces, then common ones.
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Noto Serif CJK SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback",
             "Noto Sans CJK JP", "Noto Sans CJK TC")
PROBE = "联建网格看板村党组织覆盖率万元"
INSTALL_HINT = "sudo apt-get install fonts-noto-cjk"


class FontMissingError(RuntimeError):
    """No font with Chinese glyphs is installed."""


def _entry(family: str):
    """The font-manager entry of ``family`` (exact name), or ``None``."""
    for entry in font_manager.fontManager.ttflist:
        if entry.name == family:
            return entry
    return None


def has_glyphs(family: str, text: str = PROBE) -> bool:
    """True when ``family`` (registered with matplotlib) has a glyph for every
    character of ``text``.

    >>> has_glyphs("DejaVu Sans", "联")
    False
    """
    from matplotlib.ft2font import FT2Font

    entry = _entry(family)
    if entry is None:
        return False
    font = FT2Font(entry.fname, face_index=getattr(entry, "index", 0) or 0)
    return all(font.get_char_index(ord(ch)) for ch in text if not ch.isspace())


def _fc_match_files(family: str) -> list[str]:
    """Font files fontconfig offers for ``family`` (empty without fc-match)."""
    if shutil.which("fc-match") is None:
        return []
    try:
        out = subprocess.run(["fc-match", "-s", "--format=%{file}\n", f"{family}:lang=zh-cn"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in out.splitlines()[:5] if line]


def _register(files: list[str]) -> None:
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in files:
        if path in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError) as exc:
            log.debug("cannot register font %s: %s", path, exc)


@functools.cache
def cjk_font(candidates: tuple[str, ...] = PREFERRED) -> str:
    """The family name of an installed font with Chinese glyphs, registered
    with matplotlib's font manager.

    Families already known to matplotlib are tried first; otherwise the
    files that ``fc-match`` finds for each family (``.ttc`` included) are
    registered, then tried again.

    Returns
    -------
    str
        E.g. ``"Noto Sans CJK SC"``; use it as ``font.family``.

    Raises
    ------
    FontMissingError
        With a Chinese message naming ``apt-get install fonts-noto-cjk``,
        when none of ``candidates`` has the glyphs.
    """
    for family in candidates:
        if has_glyphs(family):
            return family
    for family in candidates:
        _register(_fc_match_files(family))
        if has_glyphs(family):
            return family
    raise FontMissingError(
        "未找到可显示中文的字体（需要 Noto Sans CJK SC 等中文字体），无法生成带中文标注的地图。"
        f"请安装后重试：{INSTALL_HINT}（Debian/Ubuntu）。已尝试：{'、'.join(candidates)}")


def font_rc(family: str | None = None) -> dict:
    """Matplotlib rc settings that draw all text with the CJK font.

    The CJK font comes first and DejaVu Sans after it as a fallback for the
    few symbols it lacks; the ASCII hyphen replaces the Unicode minus.

    >>> font_rc("Noto Sans CJK SC")["font.family"]
    ['Noto Sans CJK SC', 'DejaVu Sans']
    """
    family = family or cjk_font()
    return {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False,
            "svg.fonttype": "path", "pdf.fonttype": 42}
