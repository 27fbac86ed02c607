"""When Help OnLine's operators work (``ORARI_OPERATORI``), read from the settings.

The hours are the business's to set, not the FAQ's: the callback's time slots, the promise
of a call and whether an operator can answer now all come from here, in Europe/Rome time.
The setting is written the way an Italian office writes its hours, «lun-ven 8-20, sab 8-13»:
comma-separated windows, each a day or a range of days and a range of hours (``8``,
``8:30``); a day may appear in one window only.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from backend.wording import join_it

ROME = ZoneInfo("Europe/Rome")
DAYS = ("lun", "mar", "mer", "gio", "ven", "sab", "dom")
DAY_NAMES = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")
_WINDOW = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}(?::\d{2})?)\s*-\s*(?P<end>\d{1,2}(?::\d{2})?)$"
)


def _clock(value: str) -> time:
    hours, _, minutes = value.partition(":")
    if int(hours) == 24 and not int(minutes or 0):
        return time.max
    return time(int(hours), int(minutes or 0))  # ValueError past 23:59


def _said(moment: time) -> str:
    """«8», «8:30», «24» as a time of day is read aloud in Italian."""
    if moment == time.max:
        return "24"
    return f"{moment.hour}" if not moment.minute else f"{moment.hour}:{moment.minute:02d}"


@dataclass(frozen=True)
class Window:
    """Some days of the week (0 = Monday) with the same opening hours."""

    days: tuple[int, ...]
    start: time
    end: time

    def covers(self, moment: datetime) -> bool:
        return moment.weekday() in self.days and self.start <= moment.time() < self.end

    def days_it(self) -> str:
        """«dal lunedì al venerdì», «il sabato»."""
        first, last = DAY_NAMES[self.days[0]], DAY_NAMES[self.days[-1]]
        if len(self.days) == 1:
            return f"{'la' if first == 'domenica' else 'il'} {first}"
        return f"dal {first} {'alla' if last == 'domenica' else 'al'} {last}"

    def hours_it(self) -> str:
        return f"dalle {_said(self.start)} alle {_said(self.end)}"

    def describe_it(self) -> str:
        return f"{self.days_it()} {self.hours_it()}"


@dataclass(frozen=True)
class OperatorHours:
    windows: tuple[Window, ...]

    def is_open(self, moment: datetime) -> bool:
        """Whether operators are at work at ``moment`` (naive UTC, as the clock gives it)."""
        local = moment.replace(tzinfo=UTC).astimezone(ROME)
        return any(window.covers(local) for window in self.windows)

    def describe_it(self) -> str:
        """«dal lunedì al venerdì dalle 8 alle 20 e il sabato dalle 8 alle 13»."""
        return join_it([window.describe_it() for window in self.windows])

    def slots_it(self) -> list[str]:
        """The windows as a caller picks one: «Dal lunedì al venerdì, dalle 8 alle 20»."""
        return [f"{w.days_it().capitalize()}, {w.hours_it()}" for w in self.windows]


def parse_operator_hours(spec: str) -> OperatorHours:
    """«lun-ven 8-20, sab 8-13» → OperatorHours; ValueError, in Italian, when malformed."""
    windows, seen = [], set()
    for part in (p.strip().lower() for p in spec.split(",")):
        match = _WINDOW.match(part)
        if not match or not {match["first"], match["last"] or match["first"]} <= set(DAYS):
            days = ", ".join(DAYS)
            raise ValueError(f"«{part}» non è nella forma «lun-ven 8-20» (giorni: {days})")
        first, last = DAYS.index(match["first"]), DAYS.index(match["last"] or match["first"])
        try:
            start, end = _clock(match["start"]), _clock(match["end"])
        except ValueError:
            raise ValueError(f"«{part}»: un orario va da 0 a 24") from None
        if first > last or start >= end:
            raise ValueError(f"«{part}»: i giorni e le ore vanno dal primo all'ultimo")
        days = tuple(range(first, last + 1))
        if seen & set(days):
            raise ValueError(f"«{part}»: un giorno compare in due fasce")
        seen |= set(days)
        windows.append(Window(days, start, end))
    return OperatorHours(tuple(windows))
