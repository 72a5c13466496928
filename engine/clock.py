"""The one place the engine asks what time it is.

Every deadline in the regulations is expressed in Beijing time, so "today" means the
Asia/Shanghai calendar date, whatever timezone the server runs in.

The functions read the clock at every call, never at import time: tests move the clock
with ``time_machine`` and a scheduler process lives for weeks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Needs the IANA database: the OS copy (/usr/share/zoneinfo) or the ``tzdata`` wheel on
# slim images and Windows. China has no DST, but a fixed +08:00 would hide a missing database.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def now_local() -> datetime:
    """The current instant, timezone-aware, in Asia/Shanghai."""
    return now_utc().astimezone(LOCAL_TZ)


def today_local() -> date:
    """Today's calendar date in Asia/Shanghai (it differs from the UTC date before 08:00 Beijing time)."""
    return now_local().date()
