"""What the officers' search finds a permit application by (see formserver/search.py): the NIB, the
applicant's NIK or passport, the KBLI codes and risk levels of its activities, its tracking status, its month,
and the words of the applicant's and the businesses' names."""
from ..search import term_source, words
from ..store.base import SUBJECT

DRAF = "DRAF"


@term_source("permohonan")
def application_terms(doc: dict) -> list[str]:
    data, meta = doc.get("data") or {}, doc.get("meta") or {}
    akun = data.get("akun") or {}
    activities = [item for item in data.get("kegiatan_usaha") or [] if isinstance(item, dict)]
    terms = [f"status:{meta.get('status_permohonan', DRAF)}", f"month:{str(doc.get('created_at', ''))[:7]}"]
    if meta.get("nib"):
        terms.append(f"nib:{meta['nib']}")
    for identity in (akun.get("nik") or doc.get(SUBJECT), akun.get("nomor_paspor")):
        if identity:
            terms.append(f"nik:{str(identity).upper()}")
    for item in activities:
        terms += [f"kbli:{item['kbli']}" if item.get("kbli") else "",
                  f"risk:{item['tingkat_risiko']}" if item.get("tingkat_risiko") else ""]
    return terms + words(akun.get("nama_lengkap"), *(item.get("nama_usaha") for item in activities))
