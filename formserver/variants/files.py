"""A variant's own files: document templates (templates/<file>.html replaces documents/<file>.html) and local
reference data (reference/<file> replaces the shipped file), checked at start-up like the shipped ones."""
import csv
import io

from jinja2 import TemplateSyntaxError

from ..definition.check import Problem
from ..i18n import gettext

FLAG_COLUMNS = ["kode_awalan", "perizinan_tunggal", "sumber"]


def template_problems(variant) -> list[Problem]:
    """Every template of the variant must replace a shipped one (same file name) and parse."""
    from ..issue.render import TEMPLATE_DIR, environment
    folder = variant.template_dir
    if folder is None:
        return []
    problems, env = [], environment((folder,))
    for path in sorted(folder.iterdir()):
        at = f"templates/{path.name}"
        if not (TEMPLATE_DIR / path.name).is_file() or path.suffix != ".html":
            shipped = ", ".join(sorted(p.name for p in TEMPLATE_DIR.glob("*.html")))
            problems.append(Problem(at, gettext("Tidak menggantikan templat dokumen mana pun (yang "
                                                "ada: {shipped}).").format(shipped=shipped)))
            continue
        try:
            env.get_template(path.name)
        except TemplateSyntaxError as error:
            problems.append(Problem(at, gettext("Templat tidak dapat dibaca, baris {lineno}: {message}").format(
                                            lineno=error.lineno, message=error.message)))
    return problems


def _lingkungan_problems(path) -> list[str]:
    from ..reference import lingkungan
    from ..reference.kbli import Kbli
    try:
        table = lingkungan.load(path, Kbli())
    except lingkungan.LingkunganError as error:
        return error.problems
    missing = sorted(set(lingkungan.shipped().levels()) - set(table.levels()))
    if missing:  # the forms' questions name these levels
        return [gettext("Parameter yang dipakai formulir tidak ada: {join}").format(join=', '.join(missing))]
    return []


def _flag_problems(path) -> list[str]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    if not rows or [c.strip() for c in rows[0]] != FLAG_COLUMNS:
        return [gettext("Baris judul harus {join}").format(join=','.join(FLAG_COLUMNS))]
    problems = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        prefix, flag, source = ([c.strip() for c in row] + ["", "", ""])[:3] if len(row) == 3 else ("", "", "")
        if len(row) != 3 or not (prefix.isdigit() and 1 <= len(prefix) <= 5) or flag.lower() not in ("ya", "tidak") \
                or not source:
            problems.append(gettext("baris {n}: perlu kode_awalan (1–5 angka), perizinan_tunggal "
                                    "(ya/tidak) dan sumber").format(n=n))
    return problems


def _bupm_problems(path) -> list[str]:
    from ..reference import bupm
    from ..reference.kbli import Kbli
    return bupm.parse(path.read_text(encoding="utf-8"), Kbli(), allow_empty=True)[1]


CHECKS = {"lingkungan.json": _lingkungan_problems, "perizinan_tunggal.csv": _flag_problems,
          "bupm_kegiatan.csv": _bupm_problems}


def reference_problems(variant) -> list[Problem]:
    """Each reference file must be one a variant may replace, and pass the shipped file's checks."""
    folder = variant.root / "reference" if variant.root else None
    if folder is None or not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir()):
        at = f"reference/{path.name}"
        check = CHECKS.get(path.name)
        if check is None:
            problems.append(Problem(at, gettext("Data referensi ini tidak dapat diganti varian (yang "
                                                "dapat: {join}).").format(join=', '.join(CHECKS))))
            continue
        try:
            problems += [Problem(at, m) for m in check(path)]  # a lazy text reads in the locale it is shown in
        except (OSError, UnicodeDecodeError, ValueError) as error:
            problems.append(Problem(at, gettext("Berkas tidak dapat dibaca: {error}").format(error=error)))
    return problems
