"""The satisfaction survey (forms/skm.json) and its index, IKM (PermenPANRB 14/2017).

After an application's documents are issued its applicant is asked to fill the survey once for
that application (the survey's draft names the application in its ``meta``; the claim
``skm:<application>`` keeps it to one). The documents never wait for it.

Each sent survey carries a ``tally`` (the store counts it once, by day): the nine elements'
scores (1–4) and the respondent's profile. The IKM of a period is computed from those counts:

* NRR of an element = the sum of its scores / the number of answers (the mean score, 1–4);
* IKM = the mean of the nine NRRs × 25 (25–100), the regulation's "NRR tertimbang" (each NRR × 1/9)
  summed and converted;
* mutu (grade): A 88.31–100 (Sangat Baik), B 76.61–88.30 (Baik), C 65.00–76.60 (Kurang Baik),
  D 25.00–64.99 (Tidak Baik), read from the IKM rounded half up to two decimals, as it is published.

The arithmetic is exact (fractions) until that rounding, so a published IKM never differs from a
hand computation by a floating-point remainder.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .actions import ActionContext, action
from .i18n import gettext, lazy_gettext, text
from .logic import today
from .reminders import reminder

FORM = "skm"
APPLICATION_FORM = "permohonan"
# the nine elements (unsur) in the regulation's order: field keys of forms/skm.json
ELEMENTS = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
            "penanganan_pengaduan", "sarana")
PROFILE = ("kelompok_umur", "jenis_kelamin_responden", "pendidikan", "pekerjaan")
PROFILE_TITLES = {"kelompok_umur": lazy_gettext("Umur (tahun)"), "jenis_kelamin_responden": lazy_gettext("Jenis kelamin"),
                  "pendidikan": lazy_gettext("Pendidikan"), "pekerjaan": lazy_gettext("Pekerjaan")}
SCORES = ("1", "2", "3", "4")
AGE_GROUPS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 120))
# (lowest IKM, mutu, performance in Indonesian, in English), best first
GRADES = ((Decimal("88.31"), "A", lazy_gettext("Sangat Baik")), (Decimal("76.61"), "B", lazy_gettext("Baik")),
          (Decimal("65.00"), "C", lazy_gettext("Kurang Baik")), (Decimal("25.00"), "D", lazy_gettext("Tidak Baik")))


# -- arithmetic -----------------------------------------------------------------------------------

def nrr(scores: dict[str, int]) -> Fraction | None:
    """The mean score of one element from ``{score: how many}``; None without answers."""
    answers = sum(scores.values())
    if not answers:
        return None
    return Fraction(sum(int(score) * count for score, count in scores.items()), answers)


def ikm(nrrs: list[Fraction]) -> Fraction:
    """The index: the mean of the elements' NRR × 25."""
    return sum(nrrs, Fraction(0)) / len(nrrs) * 25


def rounded(value: Fraction, places: int = 2) -> Decimal:
    """``value`` rounded half up (as published), exactly."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places),
                                                                           rounding=ROUND_HALF_UP)


def grade(index: Decimal) -> tuple[str, str]:
    """The mutu letter and its words for a rounded IKM."""
    for lowest, letter, words in GRADES:
        if index >= lowest:
            return letter, str(words)
    return "D", gettext("Tidak Baik")


# -- periods --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Days from ``since`` to ``until`` (excluded), with a name for people."""
    since: dt.date
    until: dt.date
    name: str

    @property
    def last_day(self) -> dt.date:
        return self.until - dt.timedelta(days=1)


def semester(year: int, half: int) -> Period:
    """Semester 1 (January–June) or 2 (July–December) of ``year``."""
    if half == 1:
        return Period(dt.date(year, 1, 1), dt.date(year, 7, 1), f"{year}-1")
    return Period(dt.date(year, 7, 1), dt.date(year + 1, 1, 1), f"{year}-2")


def semester_of(day: dt.date) -> Period:
    return semester(day.year, 1 if day.month <= 6 else 2)


def semesters_until(day: dt.date, count: int) -> list[Period]:
    """The ``count`` semesters that end with the one holding ``day``, oldest first."""
    year, half = day.year, 1 if day.month <= 6 else 2
    out = []
    for _ in range(count):
        out.append(semester(year, half))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return out[::-1]


FIRST_YEAR, LAST_YEAR = 2000, 2100  # reports cover years in this span (a trend looks back from the period)


def in_span(day: dt.date) -> bool:
    """Whether a report may start or end on ``day``."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def parse_semester(name: str) -> Period | None:
    """``"2026-1"`` → the period; None when it is not a semester's name (or one outside the years reported)."""
    year, _, half = str(name).partition("-")
    if not (year.isdigit() and len(year) == 4 and half in ("1", "2")) or not FIRST_YEAR <= int(year) <= LAST_YEAR:
        return None
    return semester(int(year), int(half))


# -- the report -----------------------------------------------------------------------------------

@dataclass
class Report:
    period: Period
    respondents: int
    elements: list[dict]            # {"key", "label", "nrr" (rounded), "nrr_exact", "counts"}
    index: Decimal | None           # IKM rounded to 2 decimals; None without respondents
    mutu: str | None
    mutu_words: str | None
    profile: dict[str, dict] = field(default_factory=dict)  # key -> {"title", "values": [{"value", "label", "count"}]}

    def as_json(self) -> dict:
        return {"from": self.period.since.isoformat(), "to": self.period.last_day.isoformat(),
                "ikm": float(self.index) if self.index is not None else None, "mutu": self.mutu,
                "respondents": self.respondents,
                "elements": [{"key": e["key"], "label": e["label"],
                              "nrr": float(e["nrr"]) if e["nrr"] is not None else None} for e in self.elements]}


def _labels(form) -> dict:
    """Element names (the field's hint holds the element's name), and every option's label, from the definition."""
    names, options = {}, {}
    for key, f in form.fields_by_key.items():
        names[key] = text(f.spec.get("hint") or f.spec.get("label"))
        options[key] = {o.value: text(o.label) for o in f.options}
    return {"names": names, "options": options}


def report(services, period: Period) -> Report:
    """The IKM of the surveys sent in ``period``: per element, overall, with the respondents' profile."""
    counts: dict[str, dict[str, int]] = {}
    for row in services.store.count_tally(FORM, period.since.isoformat(), period.until.isoformat()):
        counts.setdefault(row["key"], {})[row["value"]] = row["count"]
    words = _labels(services.forms.get(FORM))
    elements, nrrs = [], []
    for key in ELEMENTS:
        scores = {s: c for s, c in counts.get(key, {}).items() if s in SCORES}
        value = nrr(scores)
        if value is not None:
            nrrs.append(value)
        elements.append({"key": key, "label": words["names"].get(key, key), "nrr_exact": value,
                         "nrr": rounded(value, 3) if value is not None else None,
                         "counts": {s: scores.get(s, 0) for s in SCORES}})
    respondents = sum(counts.get(ELEMENTS[0], {}).values())
    index = rounded(ikm(nrrs)) if nrrs and len(nrrs) == len(ELEMENTS) else None
    letter, words_of = grade(index) if index is not None else (None, None)
    profile = {}
    for key in PROFILE:
        labels = words["options"].get(key) or {f"{lo}-{hi}": f"{lo}–{hi}" for lo, hi in AGE_GROUPS}
        profile[key] = {"title": str(PROFILE_TITLES[key]),
                        "values": [{"value": v, "label": labels.get(v, v), "count": counts.get(key, {}).get(v, 0)}
                                   for v in labels]}
    return Report(period, respondents, elements, index, letter, words_of, profile)


def trend(services, until: dt.date, count: int = 6) -> list[Report]:
    """One report per semester, the last ``count`` up to the one holding ``until``."""
    return [report(services, period) for period in semesters_until(until, count)]


def csv_rows(result: Report) -> list[list[str]]:
    """The report as rows for a CSV file: elements, the index, the respondents' profile."""
    rows = [["unsur", "nama", "nilai_1", "nilai_2", "nilai_3", "nilai_4", "nrr"]]
    for e in result.elements:
        rows.append([e["key"], e["label"], *(str(e["counts"][s]) for s in SCORES),
                     "" if e["nrr"] is None else str(e["nrr"])])
    rows += [[], ["periode", f"{result.period.since.isoformat()} – {result.period.last_day.isoformat()}"],
             ["responden", str(result.respondents)], ["ikm", "" if result.index is None else str(result.index)],
             ["mutu", result.mutu or ""], [], ["profil", "nilai", "jumlah"]]
    for key, group in result.profile.items():
        rows += [[key, v["value"], str(v["count"])] for v in group["values"]]
    return rows


# -- the survey's action and the applicant's reminder ----------------------------------------------

def age_group(age) -> str:
    for low, high in AGE_GROUPS:
        if isinstance(age, int) and low <= age <= high:
            return f"{low}-{high}"
    return "?"


def issued(doc: dict | None) -> bool:
    """Whether an application's documents were issued (the survey is asked after that)."""
    return bool(doc and doc.get("form_id") == APPLICATION_FORM and doc.get("status") == "completed"
                and doc.get("meta", {}).get("nib"))


@action("skm.kirim")
def _send(context: ActionContext) -> None:
    """One survey per issued application of the respondent; the sent survey is tallied for the IKM."""
    doc, store = context.submission, context.services.store
    application = store.get_submission(doc["meta"].get("application_id") or "")
    if not issued(application) or application["owner"] != doc["owner"]:
        context.fail("saran", gettext("Survei ini diisi dari dasbor, untuk permohonan yang dokumennya sudah terbit."))
        return
    if store.claim(f"skm:{application['id']}", doc["id"]) != doc["id"]:
        context.fail("saran", gettext("Survei untuk permohonan ini sudah diisi. Terima kasih."))
        return
    data = doc["data"]
    values = {key: str(data[key]) for key in ELEMENTS}
    values.update({key: str(data[key]) for key in PROFILE if key in data})
    values["kelompok_umur"] = age_group(data.get("umur"))
    doc["tally"] = {"on": today().isoformat(), "values": values}
    context.record("survey.sent", application_id=application["id"])


def due(services, owner: str) -> list[dict]:
    """The owner's issued applications that still wait for their survey, newest first."""
    done = {d["meta"].get("application_id") for d in services.store.find_submissions(owner, form_id=FORM,
                                                                                     status="completed", limit=500)}
    return [doc for doc in services.store.find_submissions(owner, form_id=APPLICATION_FORM, status="completed",
                                                           limit=50)
            if issued(doc) and doc["id"] not in done]


def draft_for(services, owner: str, application_id: str) -> dict | None:
    """The owner's unfinished survey of that application, to resume."""
    for doc in services.store.find_submissions(owner, form_id=FORM, status="draft", limit=50):
        if doc["meta"].get("application_id") == application_id:
            return doc
    return None


SURVEY_PATH = "/skm/{application}"


@reminder
def _survey_reminders(services, account: dict, owner: str) -> list[dict]:
    """One reminder per issued application without its survey (it stays until the survey is sent)."""
    if FORM not in services.forms:
        return []
    return [{"text": gettext("Dokumen permohonan {join} sudah terbit. Mohon isi Survei Kepuasan "
                             "Masyarakat; dokumen tetap dapat diunduh apa pun jawaban Anda.").format(join=', '.join(_kbli(doc)) or doc['id']),
             "href": SURVEY_PATH.format(application=doc["id"]), "action": gettext("Isi survei")}
            for doc in due(services, owner)]


def _kbli(doc: dict) -> list[str]:
    return [str(k.get("kbli")) for k in doc["data"].get("kegiatan_usaha") or [] if isinstance(k, dict) and k.get("kbli")]
