"""Environmental screening from reference data: the kinds of business (jenis usaha) offered per KBLI, the
parameter conditions each kind asks, and the obligation (SPPL / UKL-UPL / AMDAL) they lead to.

Everything comes from ``lingkungan.json``; nothing about a threshold is written here. The file is checked
entry by entry when the server starts (:func:`load`), so a mistake in it stops the start with a message
naming the entry, never a wrong answer later.
"""
import functools
import json
from pathlib import Path

from ..i18n import LazyText, json_mistake, lazy_gettext, ngettext

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "kbli" / "lingkungan.json"

OBLIGATIONS = ("SPPL", "UKL_UPL", "AMDAL")  # least to most demanding
TYPE_LEVEL = "jenis_usaha"
ANY_FIELD = "*"  # a level filtered by the answer of any earlier field (here: the KBLI code)


class LingkunganError(ValueError):
    """lingkungan.json cannot be used; lists every problem found."""

    def __init__(self, path, problems: list[str]):
        super().__init__(path, problems)
        self.path, self.problems = path, problems

    def __str__(self) -> str:
        heading = ngettext("{where}: {count} masalah", "{where}: {count} masalah", len(self.problems))
        return heading.format(where=self.path, count=len(self.problems)) + "".join(f"\n  {p!s}" for p in self.problems)


NOT_OBJECT = lazy_gettext("harus objek")
NO_CODE = lazy_gettext("kode wajib diisi")


def _at(where: str, problem: LazyText) -> LazyText:
    """A problem of the entry ``where`` (a path such as ``jenis_usaha[2] (X).parameter[0]``), said in the catalogs'
    words in the locale it is read in."""
    return lazy_gettext("{where}: {problem}").format(where=where, problem=problem)


def _label_problems(where: str, label) -> list[str]:
    if isinstance(label, dict) and all(isinstance(label.get(lang), str) and label[lang].strip() for lang in ("id", "en")):
        return []
    return [_at(where, lazy_gettext('label harus {{"id": ..., "en": ...}} tanpa teks kosong').format())]


def _obligation_problems(where: str, value) -> list[str]:
    return [] if value in OBLIGATIONS else [_at(where, lazy_gettext("kewajiban {value} tidak dikenal; gunakan {known}").format(
        value=repr(value), known=", ".join(OBLIGATIONS)))]


def _prefix_problems(where: str, prefixes, kbli) -> list[str]:
    if not isinstance(prefixes, list) or not prefixes:
        return [_at(where, lazy_gettext('kbli_awalan harus daftar awalan kode KBLI atau ["*"]'))]
    problems = []
    for prefix in prefixes:
        if prefix == ANY_FIELD:
            continue
        if not (isinstance(prefix, str) and prefix.isdigit() and 1 <= len(prefix) <= 5):
            problems.append(_at(where, lazy_gettext("awalan {prefix} bukan 1–5 angka").format(prefix=repr(prefix))))
        elif kbli is not None and not any(code.startswith(prefix) for code in kbli.codes()):
            problems.append(_at(where, lazy_gettext("awalan {prefix} tidak cocok dengan kode KBLI 2020 mana pun").format(
                prefix=repr(prefix))))
    return problems


def _land_problems(where: str, steps) -> list[str]:
    if steps is None:
        return []
    if not isinstance(steps, list):
        return [_at(where, lazy_gettext("luas_lahan_m2 harus daftar ambang"))]
    problems, previous = [], -1
    for i, step in enumerate(steps):
        at = f"{where}.luas_lahan_m2[{i}]"
        start = step.get("mulai") if isinstance(step, dict) else None
        if isinstance(start, bool) or not isinstance(start, int) or start <= previous:
            problems.append(_at(at, lazy_gettext("mulai harus bilangan bulat yang naik")))
        else:
            previous = start
        problems += _obligation_problems(at, step.get("kewajiban") if isinstance(step, dict) else None)
    return problems


def _parameter_problems(where: str, parameter, known: dict) -> tuple[list[str], list[str]]:
    """(problems, condition codes) of one parameter of a kind of business."""
    key = parameter.get("key") if isinstance(parameter, dict) else None
    if key not in known:
        return [_at(where, lazy_gettext('parameter {key} tidak ada di daftar "parameter"').format(key=repr(key)))], []
    conditions = parameter.get("pilihan")
    if not isinstance(conditions, list) or len(conditions) < 2:
        return [_at(f"{where} ({key})", lazy_gettext("pilihan harus paling sedikit 2 kondisi"))], []
    problems, codes = [], []
    for i, condition in enumerate(conditions):
        at = f"{where} ({key}).pilihan[{i}]"
        if not isinstance(condition, dict):
            problems.append(_at(at, NOT_OBJECT))
            continue
        code = condition.get("kode")
        if not (isinstance(code, str) and code.strip()):
            problems.append(_at(at, NO_CODE))
        codes.append(code)
        problems += _label_problems(at, condition.get("label"))
        problems += _obligation_problems(at, condition.get("kewajiban"))
    return problems, codes


def _kind_problems(i: int, kind, known: dict, kbli) -> list[str]:
    """The problems of one kind of business (jenis usaha)."""
    where = f"jenis_usaha[{i}]"
    if not isinstance(kind, dict):
        return [_at(where, NOT_OBJECT)]
    where = f"jenis_usaha[{i}] ({kind.get('kode')})"
    problems = [] if isinstance(kind.get("kode"), str) and kind["kode"].strip() else [_at(where, NO_CODE)]
    problems += _label_problems(where, kind.get("label"))
    if not (isinstance(kind.get("sumber"), str) and kind["sumber"].strip()):
        problems.append(_at(where, lazy_gettext("sumber wajib diisi: peraturan yang dikutip, atau 'DEFAULT proyek'")))
    problems += _prefix_problems(where, kind.get("kbli_awalan"), kbli)
    problems += _land_problems(where, kind.get("luas_lahan_m2"))
    parameters = kind.get("parameter")
    if not isinstance(parameters, list) or not parameters:
        return problems + [_at(where, lazy_gettext("parameter harus daftar yang tidak kosong"))]
    keys, codes = [], []
    for j, parameter in enumerate(parameters):
        found, parameter_codes = _parameter_problems(f"{where}.parameter[{j}]", parameter, known)
        problems += found
        keys.append(parameter.get("key") if isinstance(parameter, dict) else None)
        codes += parameter_codes
    if len(set(keys)) != len(keys):
        problems.append(_at(where, lazy_gettext("parameter berulang")))
    # the obligation finds each parameter's answer among the chosen codes, so a code names one condition
    repeated = sorted({c for c in codes if isinstance(c, str) and codes.count(c) > 1})
    if repeated:
        problems.append(_at(where, lazy_gettext("kode kondisi berulang: {codes}").format(codes=", ".join(repeated))))
    return problems


def check(data, kbli=None) -> list[str]:
    """Every problem of a lingkungan.json document; with ``kbli``, also prefixes and coverage of the KBLI codes."""
    if not isinstance(data, dict):
        return [lazy_gettext("berkas harus objek JSON")]
    problems = []
    if data.get("status") not in ("DEFAULT", "SUMBER"):
        problems.append(lazy_gettext("status harus DEFAULT atau SUMBER"))
    known = data.get("parameter")
    if not isinstance(known, dict) or not known:
        return problems + [lazy_gettext("parameter harus objek {{kunci: {{label}}}} yang tidak kosong").format()]
    for key, spec in known.items():
        if key == TYPE_LEVEL or not key.replace("_", "").isalnum():
            problems.append(_at(f"parameter {key!r}", lazy_gettext("kunci harus huruf kecil, angka dan _")))
        problems += _label_problems(f"parameter {key!r}", (spec or {}).get("label") if isinstance(spec, dict) else None)
    kinds = data.get("jenis_usaha")
    if not isinstance(kinds, list) or not kinds:
        return problems + [lazy_gettext("jenis_usaha harus daftar yang tidak kosong")]
    for i, kind in enumerate(kinds):
        problems += _kind_problems(i, kind, known, kbli)
    names = [k.get("kode") for k in kinds if isinstance(k, dict)]
    repeated = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if repeated:
        problems.append(_at("jenis_usaha", lazy_gettext("kode berulang: {codes}").format(codes=", ".join(repeated))))
    if kbli is not None and not problems:
        table = Lingkungan(data)
        uncovered = [code for code in kbli.codes() if not table.kinds_for(code)]
        if uncovered:
            problems.append(lazy_gettext("{count} kode KBLI tanpa jenis usaha, mis. {codes}; setiap kode KBLI memerlukan "
                                         "paling sedikit satu jenis usaha").format(count=len(uncovered),
                                                                                   codes=", ".join(uncovered[:5])))
    return problems


class Lingkungan:
    """A checked lingkungan.json: kinds per KBLI, their conditions, and the obligation of chosen conditions."""

    def __init__(self, data: dict):
        self.data = data
        self.kinds = {kind["kode"]: kind for kind in data["jenis_usaha"]}

    @property
    def status(self) -> str:
        return self.data["status"]

    def levels(self) -> dict[str, str]:
        """Source levels and the level each one's parent field lists (``*``: any field, here the KBLI)."""
        return {TYPE_LEVEL: ANY_FIELD, **{key: TYPE_LEVEL for key in self.data["parameter"]}}

    def kinds_for(self, kbli) -> list[dict]:
        """The kinds of business offered for a KBLI code, in file order."""
        code = str(kbli or "").strip()
        if not code:
            return []
        return [kind for kind in self.data["jenis_usaha"]
                if any(prefix == ANY_FIELD or code.startswith(prefix) for prefix in kind["kbli_awalan"])]

    def options(self, level: str, parent_value) -> list[tuple[str, dict]]:
        """(code, label) choices of a level: kinds for a KBLI, or one parameter's conditions for a kind."""
        if level == TYPE_LEVEL:
            return [(kind["kode"], kind["label"]) for kind in self.kinds_for(parent_value)]
        kind = self.kinds.get(parent_value) if isinstance(parent_value, str) else None
        for parameter in (kind or {}).get("parameter", ()):
            if parameter["key"] == level:
                return [(c["kode"], c["label"]) for c in parameter["pilihan"]]
        return []

    def obligation(self, kbli, kind_code, luas_lahan_m2, chosen) -> str | None:
        """The most demanding obligation of the chosen conditions (and the land area's thresholds);
        None while the kind does not apply to the KBLI or a parameter has no chosen condition."""
        kind = self.kinds.get(kind_code) if isinstance(kind_code, str) else None
        if kind is None or kind not in self.kinds_for(kbli):
            return None
        chosen = {c for c in chosen if isinstance(c, str)}
        found = []
        for parameter in kind["parameter"]:
            answer = next((c for c in parameter["pilihan"] if c["kode"] in chosen), None)
            if answer is None:
                return None
            found.append(answer["kewajiban"])
        land = luas_lahan_m2 if isinstance(luas_lahan_m2, (int, float)) and not isinstance(luas_lahan_m2, bool) else None
        if land is not None:
            found += [step["kewajiban"] for step in kind.get("luas_lahan_m2") or () if land >= step["mulai"]]
        return max(found, key=OBLIGATIONS.index)


def load(path: str | Path | None = None, kbli=None) -> Lingkungan:
    """Read and check lingkungan.json; LingkunganError lists every problem."""
    path = Path(path) if path else DEFAULT_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LingkunganError(path, [lazy_gettext("berkas tidak dapat dibaca: {error}").format(
            error=error.strerror or error)]) from None
    except UnicodeDecodeError:
        raise LingkunganError(path, [lazy_gettext("berkas ini bukan teks UTF-8")]) from None
    except ValueError as error:
        raise LingkunganError(path, [json_mistake(error)]) from None
    problems = check(data, kbli)
    if problems:
        raise LingkunganError(path, problems)
    return Lingkungan(data)


@functools.cache
def shipped() -> Lingkungan:
    """The shipped file, checked once per process (also against the KBLI table)."""
    from .kbli import DEFAULT_DIR, Kbli
    return load(DEFAULT_PATH, Kbli(DEFAULT_DIR))
