"""Interface texts through gettext catalogs; definition texts as ``{locale: text}`` objects.

The source language is Bahasa Indonesia: a message id *is* the Indonesian text
(``gettext("Wajib diisi")``), so Indonesian needs no catalog and every text missing from a catalog
reads in Indonesian. Every other locale is a catalog,
``formserver/translations/<locale>/LC_MESSAGES/messages.po``; the locales a server offers are
``id`` plus the catalogs present (a translator adds one with a ``.po`` file, no code change).
The ``.po`` files are compiled to ``.mo`` next to them when a server starts (when the ``.mo`` is
missing or older; in memory when that folder is read-only): binaries are never committed.

The locale of the moment is the context variable :data:`current_locale` (set per request from
``?lang=``, the session or Accept-Language; set by hand for e-mails and in tests), so texts resolve
the same inside and outside a request. Definitions carry their own texts as ``{"id": ..., "en": ...,
<any offered locale>: ...}`` objects, resolved with :func:`text`, Indonesian when a locale is missing.
"""
from __future__ import annotations

import functools
import io
import os
import tempfile
from contextvars import ContextVar
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations
from flask.globals import _cv_app

SOURCE_LOCALE = DEFAULT_LOCALE = "id"
DOMAIN = "messages"
PACKAGE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


# ---------------------------------------------------------------- catalogs


def _compiled(po: Path) -> Translations:
    """The translations of one ``.po``: its ``.mo`` next to it, compiled first when missing or older."""
    mo = po.with_suffix(".mo")
    try:
        fresh = mo.stat().st_mtime >= po.stat().st_mtime
    except OSError:
        fresh = False
    if not fresh:
        with po.open("rb") as source:
            catalog = pofile.read_po(source, locale=po.parent.parent.name, domain=DOMAIN)
        buffer = io.BytesIO()
        mofile.write_mo(buffer, catalog, use_fuzzy=False)
        try:  # written whole then renamed: workers starting together never read half a file
            handle, temporary = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
            with os.fdopen(handle, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(temporary, mo)
        except OSError:  # a read-only installation: the catalog lives in memory only
            return Translations(io.BytesIO(buffer.getvalue()), domain=DOMAIN)
    with mo.open("rb") as compiled:
        return Translations(compiled, domain=DOMAIN)


class Catalogs:
    """The compiled catalogs of one translations folder, and the locales they offer."""

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory or PACKAGE_TRANSLATIONS)
        self.translations: dict[str, NullTranslations] = {}
        if self.directory.is_dir():
            for po in sorted(self.directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
                locale = po.parent.parent.name
                if locale != SOURCE_LOCALE:
                    self.translations[locale] = _compiled(po)
        self.locales: tuple[str, ...] = (SOURCE_LOCALE, *sorted(self.translations))

    def of(self, locale: str) -> NullTranslations | None:
        return self.translations.get(locale)


@functools.lru_cache(maxsize=16)
def _catalogs_in(directory: str) -> Catalogs:
    return Catalogs(directory)


def catalogs_for(directory: str | os.PathLike | None) -> Catalogs:
    """The catalogs of a translations folder (the package's when None), compiled once per process."""
    return _catalogs_in(str(Path(directory or PACKAGE_TRANSLATIONS).resolve()))


def catalogs() -> Catalogs:
    """The running app's catalogs (its TRANSLATIONS_DIR); outside an app, FORMSERVER_TRANSLATIONS_DIR's or the package's."""
    ctx = _cv_app.get(None)  # has_app_context() and current_app, without going through the proxy twice
    if ctx is not None:
        found = ctx.app.extensions.get("i18n")
        if found is not None:
            return found
    return catalogs_for(os.environ.get("FORMSERVER_TRANSLATIONS_DIR") or None)


def offered_locales() -> tuple[str, ...]:
    """``id`` and every locale with a catalog, sorted."""
    return catalogs().locales


@functools.lru_cache(maxsize=64)
def locale_name(locale: str) -> str:
    """A locale's name in its own language ("English", "Indonesia", "Jawa"); looked up once per locale (the
    header's language switcher asks on every page, and Babel parses the locale data each time)."""
    from babel import Locale, UnknownLocaleError
    try:
        name = Locale.parse(locale).get_display_name(locale) or locale
    except (ValueError, UnknownLocaleError):
        return locale
    return name[:1].upper() + name[1:]


def command_locale(offered: tuple[str, ...] | None = None) -> str:
    """The locale of a command run outside a request (``formserver check``): FORMSERVER_LOCALE, else the system's
    (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, the first one set; C and POSIX name none), when the server offers it
    (``en_US.UTF-8`` reads ``en``); else Indonesian."""
    from babel import negotiate_locale
    wanted = [os.environ.get("FORMSERVER_LOCALE", "")]
    system = next((os.environ[name] for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(name)), "")
    wanted += [part.split(".")[0].split("@")[0] for part in system.split(":")]
    wanted = [locale for locale in wanted if locale and locale not in ("C", "POSIX")]
    return negotiate_locale(wanted, list(offered or offered_locales())) or DEFAULT_LOCALE


def run_command(run, args) -> int:
    """``run(args)`` with what the command says in :func:`command_locale` (``formserver …``,
    ``python -m formserver.transfer …``)."""
    token = current_locale.set(command_locale())
    try:
        return run(args)
    finally:
        current_locale.reset(token)


# ---------------------------------------------------------------- interface texts


def _translations(locale: str | None) -> NullTranslations | None:
    locale = locale or current_locale.get()
    return None if locale == SOURCE_LOCALE else catalogs().of(locale)


def gettext(message: str, locale: str | None = None) -> str:
    """``message`` (the Indonesian text) in the current locale, or in ``locale``; Indonesian when untranslated."""
    found = _translations(locale)
    return message if found is None else found.gettext(message)


def pgettext(context: str, message: str, locale: str | None = None) -> str:
    """:func:`gettext` for a text whose translation depends on where it is used."""
    found = _translations(locale)
    return message if found is None else found.pgettext(context, message)


def ngettext(singular: str, plural: str, n: int, locale: str | None = None) -> str:
    """The singular or plural text for ``n`` (Indonesian itself has one form: write it in both)."""
    found = _translations(locale)
    if found is None:
        return singular if n == 1 else plural
    return found.ngettext(singular, plural, n)


def text(value, locale: str | None = None) -> str:
    """Resolve a definition text (a ``{"id", "en", …}`` object or a plain string); Indonesian when a locale lacks it."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):  # None, or a template's undefined value
        return ""
    locale = locale or current_locale.get()
    return value.get(locale) or value.get(DEFAULT_LOCALE) or ""


class LazyText(str):
    """A text resolved for the current locale each time it is turned into a string.

    Used where a message is made before the locale is known (schemas compiled at start-up, module constants).
    It is a ``str`` holding the Indonesian text, so libraries that insist on strings accept it; ``format``
    stays lazy, so marshmallow can fill in ``{min}`` and the like, and lazy arguments resolve with it.
    """

    def __new__(cls, resolve, source: str):
        self = super().__new__(cls, source)
        self._resolve = resolve
        return self

    @classmethod
    def of(cls, value) -> LazyText:
        """A definition text ``{"id", "en", …}`` resolved lazily."""
        return cls(functools.partial(text, value), text(value, SOURCE_LOCALE))

    def in_locale(self, locale: str) -> str:
        """The text in ``locale`` whatever the current one is."""
        token = current_locale.set(locale)
        try:
            return str(self)
        finally:
            current_locale.reset(token)

    @property
    def id(self) -> str:
        return self.in_locale("id")

    @property
    def en(self) -> str:
        return self.in_locale("en")

    def format(self, *args, **kwargs) -> LazyText:
        def resolved():
            return self._resolve().format(*map(_resolved, args), **{k: _resolved(v) for k, v in kwargs.items()})
        return LazyText(resolved, str.format(str.__str__(self), *map(_source, args), **{k: _source(v) for k, v in kwargs.items()}))

    def __str__(self) -> str:
        return self._resolve()

    def __repr__(self) -> str:
        return f"LazyText({str.__repr__(self)})"

    def __copy__(self):
        return self  # immutable

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):  # a pickled text is the text of that moment
        return (str, (str(self),))


def _resolved(value):
    return str(value) if isinstance(value, LazyText) else value


def _source(value):
    """The Indonesian text a lazy text holds (what it reads as in the source locale), other values as they are."""
    return str.__str__(value) if isinstance(value, LazyText) else value


def lazy_gettext(message: str) -> LazyText:
    """:func:`gettext` at the time the text is shown."""
    return LazyText(functools.partial(gettext, message), message)


def lazy_pgettext(context: str, message: str) -> LazyText:
    return LazyText(functools.partial(pgettext, context, message), message)


def lazy_text(resolve) -> LazyText:
    """The text ``resolve()`` makes, made again in the locale of the moment each time it is shown (a sentence
    assembled from catalog texts, a list joined with the catalog's separator); it holds the Indonesian text."""
    token = current_locale.set(SOURCE_LOCALE)
    try:
        source = resolve()
    finally:
        current_locale.reset(token)
    return LazyText(resolve, source)


# what json's parser says (English, in its own terms), said plainly; another message reads as the general one
_JSON_MISTAKES = {
    "Expecting property name enclosed in double quotes": lazy_gettext(
        "nama di dalam { } harus di antara tanda kutip ganda, dan tidak boleh ada koma sebelum }"),
    "Expecting ',' delimiter": lazy_gettext("koma kurang di antara dua bagian"),
    "Expecting ':' delimiter": lazy_gettext("titik dua kurang sesudah nama"),
    "Expecting value": lazy_gettext("nilai kurang atau tertulis salah (teks harus di antara tanda kutip ganda)"),
    "Illegal trailing comma before end of object": lazy_gettext("koma sesudah bagian terakhir sebelum }"),
    "Illegal trailing comma before end of array": lazy_gettext("koma sesudah bagian terakhir sebelum ]"),
    "Extra data": lazy_gettext("ada tulisan lain sesudah akhir isi JSON"),
    "Unterminated string starting at": lazy_gettext("tanda kutip penutup teks kurang"),
    "Invalid control character at": lazy_gettext("teks memuat baris baru atau tab; tulis \\n atau \\t"),
}


def json_mistake(error: ValueError, one_line: bool = False) -> LazyText:
    """A sentence saying, in plain words, where a text is not valid JSON (line and column from a
    ``json.JSONDecodeError``, what is wrong when the parser's message is a known one), from the catalogs.
    ``one_line``: the text is one line of a file, already named; only the column is said."""
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    what = _JSON_MISTAKES.get(getattr(error, "msg", None))
    if line is None:
        return lazy_gettext("isinya bukan JSON yang sah")
    if one_line:
        if what is None:
            return lazy_gettext("isinya bukan JSON yang sah: periksa kolom {column}").format(column=column)
        return lazy_gettext("isinya bukan JSON yang sah di kolom {column}: {what}").format(column=column, what=what)
    if what is None:
        return lazy_gettext("isinya bukan JSON yang sah: periksa baris {line}, kolom {column}").format(
            line=line, column=column)
    return lazy_gettext("isinya bukan JSON yang sah di baris {line}, kolom {column}: {what}").format(
        line=line, column=column, what=what)
