"""The one clock: now as ISO 8601 text in China Standard Time (+08:00), to the second.

Dataset versions, saved scenarios and a scenario's ``created`` (SPEC §4) all
take their time from here.

>>> now_iso().endswith("+08:00") and len(now_iso()) == len("2026-11-23T10:00:00+08:00")
True
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))


def now_iso() -> str:
    """The current time as ISO 8601 in +08:00, to the second (``2026-11-23T10:00:00+08:00``)."""
    return datetime.now(CHINA_TZ).isoformat(timespec="seconds")


def today() -> date:
    """Today's date in China Standard Time (the audit log's and the pages' calendar day)."""
    return datetime.now(CHINA_TZ).date()
