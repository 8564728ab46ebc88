"""Environmental screening from reference data: the kinds of business (jenis usaha) offered per KBLI, the
parameter conditions each kind asks, and the obligation (SPPL / UKL-UPL / AMDAL) they lead to.

Everything comes from ``lingkungan.json``; nothing about a threshold is written here. The file is checked
entry by entry when the server starts (:func:`load`), so a mistake in it stops the start with a message
naming the entry, never a wrong answer later.
"""
import functools
import json
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "kbli" / "lingkungan.json"

OBLIGATIONS = ("SPPL", "UKL_UPL", "AMDAL")  # least to most demanding
TYPE_LEVEL = "jenis_usaha"
ANY_FIELD = "*"  # a level filtered by the answer of any earlier field (here: the KBLI code)


class LingkunganError(ValueError):
    """lingkungan.json cannot be used; lists every problem found."""

    def __init__(self, path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


def _label_problems(where: str, label) -> list[str]:
    if isinstance(label, dict) and all(isinstance(label.get(lang), str) and label[lang].strip() for lang in ("id", "en")):
        return []
    return [f"{where}: label harus {{\"id\": ..., \"en\": ...}} tanpa teks kosong (label needs id and en texts)"]


def _obligation_problems(where: str, value) -> list[str]:
    return [] if value in OBLIGATIONS else [f"{where}: kewajiban {value!r} tidak dikenal; gunakan {', '.join(OBLIGATIONS)}"]


def _prefix_problems(where: str, prefixes, kbli) -> list[str]:
    if not isinstance(prefixes, list) or not prefixes:
        return [f"{where}: kbli_awalan harus daftar awalan kode KBLI atau [\"*\"] (kbli_awalan must list KBLI prefixes)"]
    problems = []
    for prefix in prefixes:
        if prefix == ANY_FIELD:
            continue
        if not (isinstance(prefix, str) and prefix.isdigit() and 1 <= len(prefix) <= 5):
            problems.append(f"{where}: awalan {prefix!r} bukan 1–5 angka (a prefix is 1 to 5 digits)")
        elif kbli is not None and not any(code.startswith(prefix) for code in kbli.codes()):
            problems.append(f"{where}: awalan {prefix!r} tidak cocok dengan kode KBLI 2020 mana pun (matches no KBLI code)")
    return problems


def _land_problems(where: str, steps) -> list[str]:
    if steps is None:
        return []
    if not isinstance(steps, list):
        return [f"{where}: luas_lahan_m2 harus daftar ambang (must be a list of thresholds)"]
    problems, previous = [], -1
    for i, step in enumerate(steps):
        at = f"{where}.luas_lahan_m2[{i}]"
        start = step.get("mulai") if isinstance(step, dict) else None
        if isinstance(start, bool) or not isinstance(start, int) or start <= previous:
            problems.append(f"{at}: mulai harus bilangan bulat yang naik (mulai must be an increasing whole number)")
        else:
            previous = start
        problems += _obligation_problems(at, step.get("kewajiban") if isinstance(step, dict) else None)
    return problems


def _parameter_problems(where: str, parameter, known: dict) -> tuple[list[str], list[str]]:
    """(problems, condition codes) of one parameter of a kind of business."""
    key = parameter.get("key") if isinstance(parameter, dict) else None
    if key not in known:
        return [f"{where}: parameter {key!r} tidak ada di daftar \"parameter\" (not declared in \"parameter\")"], []
    conditions = parameter.get("pilihan")
    if not isinstance(conditions, list) or len(conditions) < 2:
        return [f"{where} ({key}): pilihan harus paling sedikit 2 kondisi (at least 2 conditions)"], []
    problems, codes = [], []
    for i, condition in enumerate(conditions):
        at = f"{where} ({key}).pilihan[{i}]"
        if not isinstance(condition, dict):
            problems.append(f"{at}: harus objek (must be an object)")
            continue
        code = condition.get("kode")
        if not (isinstance(code, str) and code.strip()):
            problems.append(f"{at}: kode wajib diisi (kode is required)")
        codes.append(code)
        problems += _label_problems(at, condition.get("label"))
        problems += _obligation_problems(at, condition.get("kewajiban"))
    return problems, codes


def _kind_problems(i: int, kind, known: dict, kbli) -> list[str]:
    """The problems of one kind of business (jenis usaha)."""
    where = f"jenis_usaha[{i}]"
    if not isinstance(kind, dict):
        return [f"{where}: harus objek (must be an object)"]
    where = f"jenis_usaha[{i}] ({kind.get('kode')})"
    problems = [] if isinstance(kind.get("kode"), str) and kind["kode"].strip() else [f"{where}: kode wajib diisi"]
    problems += _label_problems(where, kind.get("label"))
    if not (isinstance(kind.get("sumber"), str) and kind["sumber"].strip()):
        problems.append(f"{where}: sumber wajib diisi: peraturan yang dikutip, atau 'DEFAULT proyek' (sumber is required)")
    problems += _prefix_problems(where, kind.get("kbli_awalan"), kbli)
    problems += _land_problems(where, kind.get("luas_lahan_m2"))
    parameters = kind.get("parameter")
    if not isinstance(parameters, list) or not parameters:
        return problems + [f"{where}: parameter harus daftar yang tidak kosong (parameter must be a non-empty list)"]
    keys, codes = [], []
    for j, parameter in enumerate(parameters):
        found, parameter_codes = _parameter_problems(f"{where}.parameter[{j}]", parameter, known)
        problems += found
        keys.append(parameter.get("key") if isinstance(parameter, dict) else None)
        codes += parameter_codes
    if len(set(keys)) != len(keys):
        problems.append(f"{where}: parameter berulang (a parameter repeats)")
    # the obligation finds each parameter's answer among the chosen codes, so a code names one condition
    repeated = sorted({c for c in codes if isinstance(c, str) and codes.count(c) > 1})
    if repeated:
        problems.append(f"{where}: kode kondisi berulang: {', '.join(repeated)} (condition codes must be unique)")
    return problems


def check(data, kbli=None) -> list[str]:
    """Every problem of a lingkungan.json document; with ``kbli``, also prefixes and coverage of the KBLI codes."""
    if not isinstance(data, dict):
        return ["berkas harus objek JSON (the file must hold a JSON object)"]
    problems = []
    if data.get("status") not in ("DEFAULT", "SUMBER"):
        problems.append("status harus DEFAULT atau SUMBER (status must be DEFAULT or SUMBER)")
    known = data.get("parameter")
    if not isinstance(known, dict) or not known:
        return problems + ["parameter harus objek {kunci: {label}} yang tidak kosong (parameter must name the parameters)"]
    for key, spec in known.items():
        if key == TYPE_LEVEL or not key.replace("_", "").isalnum():
            problems.append(f"parameter {key!r}: kunci harus huruf kecil, angka dan _ (a key of letters, digits and _)")
        problems += _label_problems(f"parameter {key!r}", (spec or {}).get("label") if isinstance(spec, dict) else None)
    kinds = data.get("jenis_usaha")
    if not isinstance(kinds, list) or not kinds:
        return problems + ["jenis_usaha harus daftar yang tidak kosong (jenis_usaha must be a non-empty list)"]
    for i, kind in enumerate(kinds):
        problems += _kind_problems(i, kind, known, kbli)
    names = [k.get("kode") for k in kinds if isinstance(k, dict)]
    repeated = sorted({n for n in names if isinstance(n, str) and names.count(n) > 1})
    if repeated:
        problems.append(f"jenis_usaha: kode berulang: {', '.join(repeated)} (a kind's code repeats)")
    if kbli is not None and not problems:
        table = Lingkungan(data)
        uncovered = [code for code in kbli.codes() if not table.kinds_for(code)]
        if uncovered:
            problems.append(f"{len(uncovered)} kode KBLI tanpa jenis usaha, mis. {', '.join(uncovered[:5])} "
                            f"(every KBLI code needs at least one kind of business)")
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
    except (OSError, ValueError) as error:
        raise LingkunganError(path, [f"berkas tidak dapat dibaca sebagai JSON: {error}"]) from None
    problems = check(data, kbli)
    if problems:
        raise LingkunganError(path, problems)
    return Lingkungan(data)


@functools.cache
def shipped() -> Lingkungan:
    """The shipped file, checked once per process (also against the KBLI table)."""
    from .kbli import DEFAULT_DIR, Kbli
    return load(DEFAULT_PATH, Kbli(DEFAULT_DIR))
