"""Bilingual text: Bahasa Indonesia first, English second.

User-facing strings are written as pairs next to each other, ``bi("Wajib diisi", "Required")``,
and resolved for the locale of the current request. Definitions carry the same pairs as
``{"id": ..., "en": ...}`` objects, resolved with :func:`text`.
"""
from contextvars import ContextVar

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


def bi(id_text: str, en_text: str) -> str:
    """The text for the current locale."""
    return en_text if current_locale.get() == "en" else id_text


def text(value, locale: str | None = None) -> str:
    """Resolve a definition text (a ``{"id", "en"}`` object or a plain string)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):  # None, or a template's undefined value
        return ""
    locale = locale or current_locale.get()
    return value.get(locale) or value.get(DEFAULT_LOCALE) or ""


class Bi(str):
    """A lazy bilingual text: resolved for the current locale when turned into a string.

    Used where a message is made before the locale is known (schemas compiled at start-up).
    It is a ``str`` (holding the Indonesian text) so libraries that insist on strings accept it;
    ``format`` keeps it lazy, so marshmallow can fill in ``{min}`` and the like.
    """

    def __new__(cls, id_text: str, en_text: str):
        self = super().__new__(cls, id_text)
        self.id, self.en = id_text, en_text
        return self

    @classmethod
    def of(cls, value) -> "Bi":
        """A Bi from a definition text ``{"id", "en"}``."""
        return cls(value.get("id", ""), value.get("en") or value.get("id", ""))

    def format(self, *args, **kwargs) -> "Bi":
        return Bi(self.id.format(*args, **kwargs), self.en.format(*args, **kwargs))

    def __str__(self) -> str:
        return bi(self.id, self.en)

    def __repr__(self) -> str:
        return f"Bi({self.id!r}, {self.en!r})"
