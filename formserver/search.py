"""Search terms: what the officers' search finds a submission by, kept on the submission as ``terms``.

Generic: every submission carries ``form:<form_id>``; what else a form's submissions are found by (a NIB,
a NIK, KBLI codes, the words of names) is said by that form's own module with ``@term_source(form_id)``.
The store indexes the terms without knowing what they mean (Store.search_submissions). Terms:
``form:``, ``status:``, ``nib:``, ``nik:`` (a passport number too), ``kbli:``, ``risk:``, ``month:`` (of creation)
and ``w:`` (a word of a name, lower case).
"""
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .dates import WIB

TermSource = Callable[[dict], Iterable[str]]
TERM_SOURCES: dict[str, TermSource] = {}
_WORD = re.compile(r"[^\W_]+")


def term_source(form_id: str):
    """Register the function that gives a form's submissions their search terms."""
    def register(fn: TermSource) -> TermSource:
        if form_id in TERM_SOURCES:
            raise ValueError(f"search terms for {form_id!r} registered twice")
        TERM_SOURCES[form_id] = fn
        return fn
    return register


def words(*texts) -> list[str]:
    """The ``w:`` terms of texts: each word in lower case, accents and case folded (``Śiti`` finds ``siti``)."""
    out = []
    for value in texts:
        if isinstance(value, str):
            folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().casefold()
            out.extend(f"w:{word}" for word in _WORD.findall(folded))
    return out


def terms_of(doc: dict) -> list[str]:
    """A submission's search terms (sorted, each once)."""
    source = TERM_SOURCES.get(doc.get("form_id"))
    own = source(doc) if source else ()
    return sorted({f"form:{doc['form_id']}", *(str(t) for t in own if t)})


def _query_word(token: str) -> str:
    """What a word typed in the search box looks for: a NIB (13 digits), a NIK (16), a KBLI code (5), else a word."""
    if token.isdigit():
        return {13: "nib:", 16: "nik:", 5: "kbli:"}.get(len(token), "w:") + token
    return words(token)[0] if words(token) else ""


# the order terms are given to the store: the most selective first drives the search
_SELECTIVITY = ("nib:", "nik:", "w:", "kbli:", "risk:", "status:", "form:")


@dataclass(frozen=True)
class Query:
    """An officer's search; empty fields are not filters."""
    q: str = ""
    nib: str = ""
    nik: str = ""
    kbli: str = ""
    status: str = ""
    risk: str = ""
    form_id: str = "permohonan"

    def terms(self) -> list[str]:
        """Every term a match must carry, most selective first."""
        found = [_query_word(token) for token in self.q.split()]
        found += [f"nib:{self.nib}" if self.nib else "", f"nik:{self.nik.upper()}" if self.nik else "",
                  f"kbli:{self.kbli}" if self.kbli else "", f"risk:{self.risk}" if self.risk else "",
                  f"status:{self.status}" if self.status else "", f"form:{self.form_id}"]
        unique = list(dict.fromkeys(t for t in found if t))
        if len(unique) > 1:
            # only the form's own term source makes the other terms, so they imply the form: one probe less
            unique.remove(f"form:{self.form_id}")
        return sorted(unique, key=lambda t: _SELECTIVITY.index(t.split(":", 1)[0] + ":"))


def day_range(start: dt.date | None, end: dt.date | None) -> tuple[str | None, str | None]:
    """Whole days in WIB, both inclusive, as the store's UTC ISO bounds ``[from, to)``."""
    def bound(day: dt.date) -> str:
        return dt.datetime.combine(day, dt.time(), WIB).astimezone(dt.UTC).isoformat(timespec="microseconds")
    return (bound(start) if start else None), (bound(end + dt.timedelta(days=1)) if end else None)


@dataclass
class Reindexed:
    read: int = 0
    written: int = 0
    last_id: str = ""


def reindex(store, after: str = "", batch: int = 1000, progress: Callable[[Reindexed], None] | None = None) -> Reindexed:
    """Give every submission the terms its form's term source gives it now: submissions stored before search
    terms existed (no ``terms``: never found), or before a term source changed. Idempotent (a submission whose
    terms are right is not written) and resumable: submissions are read in id order, ``progress`` is told after
    each ``batch`` of them with the last id read, and ``after`` starts past that id. A submission written
    meanwhile by someone else got its terms from that write, so it is skipped. The last change (``updated_at``,
    the search's order) stays as it was."""
    from .store.base import StaleVersion
    done = Reindexed(last_id=after)
    for doc in store.iter_collection("submissions"):
        if after and doc["id"] <= after:
            continue
        done.read, done.last_id = done.read + 1, doc["id"]
        terms = terms_of(doc)
        if doc.get("terms") != terms:
            try:
                store.update_submission({**doc, "terms": terms})
                done.written += 1
            except StaleVersion:
                pass
        if progress and done.read % batch == 0:
            progress(done)
    if progress and done.read % batch:
        progress(done)
    return done
