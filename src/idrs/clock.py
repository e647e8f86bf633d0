"""The one business clock.

Everything that depends on "today" (interest, grant expiry, cycles, notice dates) asks a
``Clock``. Instants are UTC and timezone-aware; business dates are in the agency's time zone.
A ``FixedClock`` pins "now" for tests and for batch runs that must see one day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from idrs.errors import InvalidInput


class Clock:
    """Real time, with business dates in ``zone``."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def now(self) -> datetime:
        """The current instant, UTC."""
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.zone)

    def today(self) -> date:
        """The business date in the agency's time zone."""
        return self.local_now().date()

    def start_of_day(self, day: date) -> datetime:
        """The UTC instant at which business day ``day`` begins."""
        return datetime.combine(day, time.min, tzinfo=self.zone).astimezone(UTC)

    def end_of_day(self, day: date) -> datetime:
        """The UTC instant at which business day ``day`` ends (exclusive bound)."""
        return datetime.combine(day, time.max, tzinfo=self.zone).astimezone(UTC)


class FixedClock(Clock):
    """A clock pinned to one instant; ``advance`` moves it (tests, batch runs)."""

    def __init__(self, zone: ZoneInfo, instant: datetime) -> None:
        super().__init__(zone)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=zone)
        self._instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=self.zone)
        self._instant = instant.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self._instant = self._instant + timedelta(**delta)


def parse_as_of(raw: str, zone: ZoneInfo) -> datetime:
    """Parse ``YYYY-MM-DD`` (noon that day, agency time) or an ISO date-time."""
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(12, 0), tzinfo=zone).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("as_of", "must be YYYY-MM-DD or an ISO 8601 date-time", raw) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def clock_for(zone: ZoneInfo, as_of: datetime | None) -> Clock:
    """A fixed clock if ``as_of`` is set, else the real one."""
    return FixedClock(zone, as_of) if as_of is not None else Clock(zone)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    """Integer microseconds since 1970 UTC (exact, no float): the audit log's time stamp."""
    from datetime import timedelta

    return (moment.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)
