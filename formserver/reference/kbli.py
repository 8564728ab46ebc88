"""KBLI 2020 five-digit codes (kelompok): look-up, the perizinan_tunggal flag, and ranked search."""
import csv
import heapq
import re
import threading
import unicodedata
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "kbli"

MAX_QUERY = 100

_KODE = re.compile(r"\d{5}")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# "47.11.1" is a code written with dots; joined before splitting into words
_DOTTED_DIGITS = re.compile(r"(?<=\d)\.(?=\d)")

# search scores: a code match outranks any word match, so "471 eceran" lists by words within 471
_EXACT_CODE = 100
_CODE_PREFIX = 50
_WHOLE_WORD = 2
_TITLE_START = 1


def fold(text: str) -> str:
    """Lower-case ASCII text: accents dropped, punctuation turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


class _Index:
    """The loaded table plus search postings, built once."""

    def __init__(self, rows: list[dict], flags: list[tuple]):
        rows.sort(key=lambda row: row["kode"])
        self.rows = rows  # position = rank in code order, so sorting positions sorts by code
        self.by_kode = {row["kode"]: i for i, row in enumerate(rows)}
        self.everything = frozenset(range(len(rows)))
        self.flags = [_flag_for(row["kode"], flags) for row in rows]
        self.code_prefix: dict[str, list[int]] = {}
        self.word_prefix: dict[str, set[int]] = {}
        self.whole_word: dict[str, set[int]] = {}
        self.start_prefix: dict[str, set[int]] = {}
        for i, row in enumerate(rows):
            self._add(i, row)

    def _add(self, i: int, row: dict) -> None:
        """Post one row under every prefix of its code and of each title word."""
        kode = row["kode"]
        for n in range(1, len(kode) + 1):
            self.code_prefix.setdefault(kode[:n], []).append(i)
        words = fold(row["judul"]).split()
        for position, word in enumerate(words):
            self.whole_word.setdefault(word, set()).add(i)
            for n in range(1, len(word) + 1):
                self.word_prefix.setdefault(word[:n], set()).add(i)
                if position == 0:
                    self.start_prefix.setdefault(word[:n], set()).add(i)


def _flag_for(kode: str, flags: list[tuple]) -> tuple[bool, str]:
    """(perizinan_tunggal, sumber) of the longest matching prefix in the flag table."""
    for prefix, value, source in flags:
        if kode.startswith(prefix):
            return value, source
    return False, "tidak tercantum di perizinan_tunggal.csv (not listed in perizinan_tunggal.csv)"


def _read_flags(path: Path) -> list[tuple]:
    """The prefix rows of perizinan_tunggal.csv, longest prefix first."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [(r["kode_awalan"].strip(), r["perizinan_tunggal"].strip().lower() == "ya", r["sumber"].strip())
                for r in csv.DictReader(handle)]
    return sorted(rows, key=lambda r: -len(r[0]))


def _read_rows(path: Path) -> list[dict]:
    """The kelompok rows of kbli2020.csv."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [{"kode": r["kode"], "judul": r["judul"], "uraian": r["uraian"], "kategori": r["kategori"]}
                for r in csv.DictReader(handle)]


def _split_query(q: str) -> tuple[list[str], list[str]]:
    """(code prefixes, folded words) of a query."""
    tokens = fold(_DOTTED_DIGITS.sub("", q)).split()
    codes = [t for t in tokens if t.isdigit()]
    words = [t for t in tokens if not t.isdigit()]
    return codes, words


class Kbli:
    """Lazy, thread-safe access to the KBLI 2020 table of one directory."""

    def __init__(self, directory: str | Path | None = None, flags_path: str | Path | None = None):
        self.directory = Path(directory) if directory is not None else DEFAULT_DIR
        # a regional variant's own list of the codes asking the SNI/Halal questions (a local decision)
        self.flags_path = Path(flags_path) if flags_path else self.directory / "perizinan_tunggal.csv"
        self._lock = threading.Lock()
        self._index: _Index | None = None

    def _data(self) -> _Index:
        """The loaded index, reading the files on first use."""
        index = self._index
        if index is None:
            with self._lock:
                # Re-check: another thread may have loaded it while we waited.
                index = self._index
                if index is None:
                    rows = _read_rows(self.directory / "kbli2020.csv")
                    flags = _read_flags(self.flags_path)
                    index = self._index = _Index(rows, flags)
        return index

    def load_all(self) -> None:
        """Read the files now (e.g. at start-up) instead of on first use."""
        self._data()

    def __len__(self) -> int:
        """How many codes the table holds."""
        return len(self._data().rows)

    def codes(self) -> list[str]:
        """Every code, in order."""
        return [row["kode"] for row in self._data().rows]

    def get(self, kode) -> dict | None:
        """One code as {kode, judul, uraian, kategori, perizinan_tunggal, perizinan_tunggal_sumber}, or None."""
        index = self._data()
        i = index.by_kode.get(str(kode or "").strip())
        if i is None:
            return None
        flag, source = index.flags[i]
        return {**index.rows[i], "perizinan_tunggal": flag, "perizinan_tunggal_sumber": source}

    def exists(self, kode) -> bool:
        """Whether the code is a KBLI 2020 five-digit code."""
        kode = str(kode or "").strip()
        return bool(_KODE.fullmatch(kode)) and kode in self._data().by_kode

    def search(self, q: str, limit: int = 20) -> list[dict]:
        """Codes matching a query (code prefixes and/or title words), best first."""
        if not q or len(q) > MAX_QUERY or limit < 1:
            return []
        codes, words = _split_query(q)
        if not codes and not words:
            return []
        index = self._data()
        groups = _score_groups(index, codes, words)
        return [_item(index, i, score) for i, score in _best(groups, limit)]


def _item(index: _Index, i: int, score: int) -> dict:
    """A search result as {kode, judul, kategori, score}."""
    row = index.rows[i]
    return {"kode": row["kode"], "judul": row["judul"], "kategori": row["kategori"], "score": score}


def _score_groups(index: _Index, codes: list[str], words: list[str]) -> dict[int, set[int]]:
    """Matching row positions grouped by score; set operations keep a 1,790-row search fast."""
    groups = _code_groups(index, codes) if codes else {0: index.everything}
    for word in words:
        matches = index.word_prefix.get(word)
        if not matches:
            return {}
        groups = _split(groups, matches, 0, keep_rest=False)
        groups = _split(groups, index.whole_word.get(word, ()), _WHOLE_WORD)
    if words:
        groups = _split(groups, index.start_prefix.get(words[0], ()), _TITLE_START)
    return groups


def _code_groups(index: _Index, codes: list[str]) -> dict[int, set[int]]:
    """Rows whose code starts with any of the digit tokens; an exact code scores highest."""
    groups: dict[int, set[int]] = {}
    for prefix in codes:
        for i in index.code_prefix.get(prefix, ()):
            score = _EXACT_CODE if index.rows[i]["kode"] == prefix else _CODE_PREFIX - len(index.rows[i]["kode"])
            groups.setdefault(score, set()).add(i)
    # a row matched by two tokens keeps its best score only
    seen: set[int] = set()
    for score in sorted(groups, reverse=True):
        groups[score] -= seen
        seen |= groups[score]
    return groups


def _split(groups: dict, matches, bonus: int, keep_rest: bool = True) -> dict[int, set[int]]:
    """Add ``bonus`` to the rows in ``matches``; drop the others unless ``keep_rest``."""
    result: dict[int, set[int]] = {}
    for score, rows in groups.items():
        hit = rows.intersection(matches)
        if hit:
            result.setdefault(score + bonus, set()).update(hit)
        if keep_rest:
            rest = rows - hit
            if rest:
                result.setdefault(score, set()).update(rest)
    return result


def _best(groups: dict[int, set[int]], limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` (position, score) pairs: higher score first, then code order."""
    result: list[tuple[int, int]] = []
    for score in sorted(groups, reverse=True):
        wanted = limit - len(result)
        if wanted <= 0:
            break
        rows = groups[score]
        chosen = sorted(rows) if len(rows) <= wanted else heapq.nsmallest(wanted, rows)
        result.extend((i, score) for i in chosen)
    return result
