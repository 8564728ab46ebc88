"""Dates and times as people read them: one format, in Waktu Indonesia Barat, on every page and document.

``15 Agustus 1985`` (English ``15 August 1985``); with the time ``15 Agustus 1985 14.30 WIB``
(English ``15 August 1985 14:30 WIB``). The store keeps ISO 8601 in UTC; this is the only place
that turns it into words.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from babel.core import UnknownLocaleError
from babel.dates import get_month_names

from .i18n import current_locale

# the issuing offices are on Waktu Indonesia Barat (no daylight saving time); tzdata is a
# dependency so a machine without the system zone files knows it too
WIB = ZoneInfo("Asia/Jakarta")
ZONE_NAME = "WIB"
MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def _moment(value) -> dt.date | None:
    """A date or an aware datetime in WIB; None for what is not a date."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        text = str(value).strip()
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:  # the store writes UTC; a naive time is one of those
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(WIB)


def format_date(value, with_time: bool = False, locale: str | None = None) -> str:
    """``value`` (ISO text, date or datetime) as ``15 Agustus 1985``, or with the time in WIB; "" for none.

    A plain date (a birth date) has no time and no zone and is shown as it is. Text that is not a
    date is returned unchanged rather than hidden.
    """
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if moment is None:
        return str(value)
    locale = locale or current_locale.get()
    day = f"{moment.day} {_month(locale, moment.month)} {moment.year}"
    if not with_time or not isinstance(moment, dt.datetime):
        return day
    separator = "." if locale == "id" else ":"
    return f"{day} {moment.hour:02d}{separator}{moment.minute:02d} {ZONE_NAME}"


def _month(locale: str, month: int) -> str:
    """The month's name: ours for id and en, CLDR's (through Babel) for a locale a translator added."""
    if locale in MONTHS:
        return MONTHS[locale][month - 1]
    try:
        return get_month_names("wide", locale=locale)[month]
    except (ValueError, LookupError, UnknownLocaleError):  # a locale CLDR does not know: the source language
        return MONTHS["id"][month - 1]


def format_datetime(value, locale: str | None = None) -> str:
    """:func:`format_date` with the time."""
    return format_date(value, with_time=True, locale=locale)
