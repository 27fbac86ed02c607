"""ORARI_OPERATORI: parsed, validated, said in Italian, and asked whether it is open now."""

from datetime import datetime

import pytest

from backend.operator_hours import parse_operator_hours

DEFAULT = "lun-ven 8-20, sab 8-13"


def test_the_default_hours_read_in_italian():
    hours = parse_operator_hours(DEFAULT)
    assert (
        hours.describe_it() == "dal lunedì al venerdì dalle 8 alle 20 e il sabato dalle 8 alle 13"
    )
    assert hours.slots_it() == [
        "Dal lunedì al venerdì, dalle 8 alle 20",
        "Il sabato, dalle 8 alle 13",
    ]


def test_minutes_single_days_and_sunday_are_said_right():
    hours = parse_operator_hours("Lun 9:30-12, mar-gio 14-18:45, dom 10-12")
    assert hours.describe_it() == (
        "il lunedì dalle 9:30 alle 12, dal martedì al giovedì dalle 14 alle 18:45 "
        "e la domenica dalle 10 alle 12"
    )


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (datetime(2026, 3, 2, 7, 0), True),  # Monday 8:00 in Rome (UTC+1)
        (datetime(2026, 3, 2, 6, 59), False),  # Monday 7:59
        (datetime(2026, 3, 2, 18, 59), True),  # Monday 19:59
        (datetime(2026, 3, 2, 19, 0), False),  # Monday 20:00: closed at the end
        (datetime(2026, 3, 7, 11, 30), True),  # Saturday 12:30
        (datetime(2026, 3, 7, 12, 0), False),  # Saturday 13:00
        (datetime(2026, 3, 8, 10, 0), False),  # Sunday
        (datetime(2026, 7, 6, 17, 30), True),  # Monday 19:30 in summer (UTC+2)
        (datetime(2026, 7, 6, 18, 0), False),  # Monday 20:00 in summer
    ],
)
def test_open_is_judged_on_rome_s_clock(moment, open_):
    assert parse_operator_hours(DEFAULT).is_open(moment) is open_


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("", "nella forma"),
        ("lun-ven", "nella forma"),
        ("lunedì 8-20", "nella forma"),
        ("lun-xyz 8-20", "nella forma"),
        ("ven-lun 8-20", "dal primo all'ultimo"),
        ("lun 20-8", "dal primo all'ultimo"),
        ("lun 8-25", "da 0 a 24"),
        ("lun 8:75-12", "da 0 a 24"),
        ("lun-ven 8-20, ven 9-12", "due fasce"),
    ],
)
def test_malformed_hours_are_refused_with_the_reason(spec, reason):
    with pytest.raises(ValueError, match=reason):
        parse_operator_hours(spec)


def test_until_midnight_is_open_to_the_last_minute():
    hours = parse_operator_hours("sab 20-24")
    assert hours.is_open(datetime(2026, 3, 7, 22, 59)) and hours.describe_it().endswith("alle 24")
