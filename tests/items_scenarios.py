"""Permit applications with several activities in every order of risk, driven through the JSON API and
through HTML forms without JavaScript; the browser module drives the same scenarios with JavaScript.

An activity is Rendah (R), Menengah Rendah with an SPPL (MR) or Menengah Rendah whose size needs a
UKL-UPL (MRU). Later steps ask about some activities only (the environmental step skips Rendah
ones), so answers must follow their activity by ``_id``, never by position.
"""
import json
import re
from dataclasses import dataclass
from functools import cache
from itertools import permutations

from .conftest import PASSWORD, PASSWORD_HASH, ROOT
from .test_permohonan import PROFILE


@dataclass(frozen=True)
class Activity:
    name: str                 # R, MR, MRU
    kbli: str
    environment: dict | None  # answers on the environmental step (Menengah Rendah only)
    obligation: str | None    # the computed environmental obligation

    @property
    def details(self) -> dict:
        """The activity's answers on the details step (values as the API takes them)."""
        return {"nama_usaha": f"Usaha {self.name}", "luas_lahan_m2": 60, "alamat_usaha": f"Jl. {self.name} 1",
                "provinsi_usaha": "14", "kabupaten_usaha": "14.01", "kecamatan_usaha": "14.01.01",
                "kelurahan_usaha": "14.01.01.1011", "kode_pos": "28411", "sudah_berjalan": "YA",
                "modal_usaha": 50_000_000, "punya_izin_sebelumnya": "TIDAK", "perkiraan_jangka_waktu_operasi": 10,
                "deskripsi_kegiatan": f"Kegiatan {self.name}", "jumlah_tenaga_kerja": 2}

    @property
    def product(self) -> dict:
        return {"jenis_produk": f"Produk {self.name}", "kapasitas_per_tahun": 100, "satuan_kapasitas": "KG"}


R = Activity("R", "47191", None, None)
# the environmental step: "Belum", then the kind of business, then its parameter conditions (issue 13 item 2)
KIND = {"punya_dokumen_lingkungan": "BELUM", "jenis_usaha_lingkungan": "INDUSTRI_PENGOLAHAN"}
MR = Activity("MR", "13923", {**KIND, "luas_bangunan_m2": "BANGUNAN_KURANG_2500",
                              "kapasitas_produksi": "KAPASITAS_KURANG_1000", "uraian_usaha_lingkungan": "Jahit bantal"},
              "SPPL")
MRU = Activity("MRU", "10298", {**KIND, "luas_bangunan_m2": "BANGUNAN_KURANG_2500",
                                "kapasitas_produksi": "KAPASITAS_1000_50000", "uraian_usaha_lingkungan": "Olah rumput laut"},
               "UKL_UPL")
PARAMETERS = ("luas_bangunan_m2", "kapasitas_produksi")

# every order of two activities of different kinds, and of all three
ORDERS = [list(p) for p in permutations([R, MR, MRU], 2)] + [list(p) for p in permutations([R, MR, MRU], 3)]


STEP_TITLES = {s["key"]: s["title"]["id"] for s in json.loads((ROOT / "forms" / "permohonan.json").read_text())["steps"]}


def order_id(order) -> str:
    return "-".join(a.name for a in order)


@cache
def _password_hash() -> str:
    return PASSWORD_HASH  # Argon2 is slow on purpose: hashed once for all scenarios


def add_applicant(app, username="budi0001"):
    app.extensions["formserver"].store.insert_account({
        "id": "acc1", "username": username, "email": "budi@example.test", "status": "active",
        "password_hash": _password_hash(), "profile": PROFILE})


def without_ids(value):
    """Answers with the random item ids taken out (they differ between two applications)."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "_id"}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def outcome(app, sid) -> dict:
    """What an application ended with: its stored answers and its documents, comparable across applications."""
    store = app.extensions["formserver"].store
    doc = store.get_submission(sid)
    nib = doc["meta"]["nib"]
    documents = sorted(
        (d["type"], d["activity"], d["status"], d["number"].replace(nib, "<NIB>"),
         repr(without_ids({k: v for k, v in d["content"].items() if k != "nib"})))
        for d in store.documents_for(sid))
    return {"data": without_ids(doc["data"]), "status": doc["meta"]["status_permohonan"], "documents": documents}


def check_outcome(result: dict, order) -> None:
    """The answers sit on their own activity and the documents follow them."""
    items = result["data"]["kegiatan_usaha"]
    assert [i["kbli"] for i in items] == [a.kbli for a in order]
    for item, activity in zip(items, order):
        assert item["nama_usaha"] == f"Usaha {activity.name}" and item["dipilih"] is True
        assert item["produk"][0]["jenis_produk"] == f"Produk {activity.name}"
        assert item["tingkat_risiko"] == ("RENDAH" if activity is R else "MENENGAH_RENDAH")
        assert item.get("kewajiban_lingkungan") == activity.obligation
        for key, value in (activity.environment or {}).items():
            assert item[key] == value, (activity.name, key)
        if activity.environment is None:
            assert "punya_dokumen_lingkungan" not in item
        # Rendah and SPPL activities are covered by the SPPL statement, a UKL-UPL one is not (DECISIONS.md)
        assert item["komitmen_lingkungan"] == ("UKL_UPL" if activity is MRU else "SPPL")
    certificates = [(d[1], d[2]) for d in result["documents"] if d[0] == "SERTIFIKAT_STANDAR"]
    assert certificates == [(str(i), "MENUNGGU_PERSETUJUAN_LINGKUNGAN" if a is MRU else "VALID")
                            for i, a in enumerate(order) if a is not R]
    types = sorted(d[0] for d in result["documents"])
    assert types.count("SPPL") == 1  # every order has a Rendah or an SPPL activity
    [sppl] = [d[4] for d in result["documents"] if d[0] == "SPPL"]
    assert [a.name for a in order if f"'kbli': '{a.kbli}'" in sppl] == [a.name for a in order if a is not MRU]
    assert result["status"] == ("MENUNGGU_PERSETUJUAN_LINGKUNGAN" if MRU in order else "TERBIT")


def check_review_environment(html: str, order) -> None:
    """On the review page the environmental answers sit under their own activity's heading."""
    if not any(a.environment for a in order):
        return
    start = html.index(STEP_TITLES["persetujuan_lingkungan"])
    section = html[start:html.index(STEP_TITLES["pernyataan_mandiri"], start)]
    asked = [a for a in order if a.environment]
    headings = [section.index(f"KBLI {a.kbli}") for a in asked]
    answers = [section.index(a.environment["uraian_usaha_lingkungan"]) for a in asked]
    assert headings == sorted(headings) and answers == sorted(answers)
    for heading, answer, following in zip(headings, answers, headings[1:] + [len(section)]):
        assert heading < answer < following
    assert all(f"KBLI {a.kbli}" not in section for a in order if not a.environment)


# -- through the JSON API ------------------------------------------------------------------------

def apply_via_api(api, order) -> str:
    """The whole application through the API; later steps name items by ``_id``."""
    def ok(response):
        assert response.status_code == 200, response.get_json()
        return response.get_json()
    sid = api.post("/api/v1/forms/permohonan/submissions").get_json()["id"]
    ok(api.put_step(sid, "data_pelaku_usaha", {"npwp": "01.234.567.8-901.000", "email": "usaha@example.test"}))
    ok(api.put_step(sid, "bidang_usaha", {"kegiatan_usaha": [
        {"jenis_kegiatan": "UTAMA" if i == 0 else "PENDUKUNG", "kbli": a.kbli, "ruang_lingkup": f"Lingkup {a.name}"}
        for i, a in enumerate(order)]}))
    ids = [item["_id"] for item in ok(api.get(f"/api/v1/submissions/{sid}"))["data"]["kegiatan_usaha"]]
    assert len(set(ids)) == len(order)
    # by position (the whole list), then by _id in reverse order: both land on the right activity
    ok(api.put_step(sid, "detail_usaha", {"kegiatan_usaha": [a.details for a in order]}))
    ok(api.put_step(sid, "produk", {"kegiatan_usaha": [
        {"_id": i, "produk": [a.product]} for i, a in reversed(list(zip(ids, order)))]}))
    ok(api.put_step(sid, "ringkasan_usaha", {}))
    ok(api.put_step(sid, "daftar_kegiatan", {"kegiatan_usaha": [{"_id": i, "dipilih": True} for i in ids]}))
    if any(a.environment for a in order):
        # only the activities the step asks about, named by _id
        ok(api.put_step(sid, "persetujuan_lingkungan", {"kegiatan_usaha": [
            {"_id": i, **a.environment} for i, a in zip(ids, order) if a.environment]}))
    ok(api.put_step(sid, "pernyataan_mandiri", {"pernyataan_k3l": True, "pernyataan_sppl": True,
                                                "pernyataan_standar_usaha": True}))
    ok(api.put_step(sid, "draf_perizinan", {"setuju_terbitkan": True}))
    ok(api.post(f"/api/v1/submissions/{sid}/submit"))
    data = ok(api.get(f"/api/v1/submissions/{sid}"))["data"]
    assert [item["_id"] for item in data["kegiatan_usaha"]] == ids  # every item kept its id throughout
    return sid


# -- through HTML forms, without JavaScript --------------------------------------------------------

class HtmlBrowser:
    """Posts forms as a browser without JavaScript does: every hidden input of the page (CSRF token,
    ``_shown``, item ids) and the fields it fills in."""

    def __init__(self, client):
        self.client, self.page = client, None

    def get(self, url):
        self.page = self.client.get(url, follow_redirects=True)
        return self.page

    @property
    def text(self) -> str:
        return self.page.get_data(as_text=True)

    def submit(self, data, url=None):
        html = self.text
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        action = url or re.search(r'<form method="post" novalidate action="([^"]+)"', html).group(1).replace("&amp;", "&")
        self.page = self.client.post(action, data={**hidden, **data}, follow_redirects=True)
        return self.page

    def heading(self) -> str:
        return re.search(r"<h1[^>]*>(.*?)</h1>", self.text, re.S).group(1).strip()

    def expect(self, step, status=200):
        """On ``step`` (its key; the page's heading is the step's title)."""
        heading = STEP_TITLES.get(step, step)
        assert self.page.status_code == status and self.heading() == heading, (self.page.status_code, self.heading())


def _named(index, values: dict) -> dict:
    return {f"kegiatan_usaha.{index}.{k}": str(v) for k, v in values.items()}


def apply_via_html(client, order) -> str:
    """The whole application through the HTML pages, as a person without JavaScript fills them in."""
    browser = HtmlBrowser(client)
    browser.get("/masuk")
    browser.submit({"username": "budi0001", "password": PASSWORD}, url="/masuk")
    browser.get("/formulir/permohonan")
    browser.submit({}, url="/formulir/permohonan")
    browser.expect("data_pelaku_usaha")
    browser.submit({"npwp": "012345678901000", "email": "usaha@example.test"})
    browser.expect("bidang_usaha")
    activities = {}
    for i, a in enumerate(order):
        activities.update(_named(i, {"jenis_kegiatan": "UTAMA" if i == 0 else "PENDUKUNG", "kbli": a.kbli,
                                     "ruang_lingkup": f"Lingkup {a.name}"}))
        if i + 1 < len(order):
            browser.submit({**activities, "_action": "add:kegiatan_usaha"})
            assert f'name="kegiatan_usaha.{i + 1}.kbli"' in browser.text
    browser.submit(activities)
    browser.expect("detail_usaha")
    details = {}
    for i, a in enumerate(order):
        details.update(_named(i, {**a.details, "modal_usaha": "50.000.000"}))
    browser.submit(details)
    browser.expect("produk")
    products = {}
    for i, a in enumerate(order):
        products.update({f"kegiatan_usaha.{i}.produk.0.{k}": str(v) for k, v in a.product.items()})
    browser.submit(products)
    browser.expect("ringkasan_usaha")
    browser.submit({})
    browser.expect("daftar_kegiatan")
    browser.submit({k: "true" for i in range(len(order)) for k in _named(i, {"dipilih": ""})})
    if any(a.environment for a in order):
        browser.expect("persetujuan_lingkungan")
        asked = [i for i, a in enumerate(order) if a.environment]
        shown = set(re.findall(r'name="kegiatan_usaha\.(\d+)\.punya_dokumen_lingkungan"', browser.text))
        assert shown == {str(i) for i in asked}  # only the Menengah Rendah activities are asked about
        first = {}
        for i in asked:
            first.update(_named(i, {k: order[i].environment[k] for k in ("punya_dokumen_lingkungan", "uraian_usaha_lingkungan")}))
        browser.submit(first)
        # "Belum" brings up the choice of the kind of business, and that one its parameter conditions:
        # asked, not flagged as errors
        for key in ("jenis_usaha_lingkungan", PARAMETERS[0]):
            browser.expect("persetujuan_lingkungan")
            assert "pertanyaan tambahan" in browser.text and 'class="error-summary"' not in browser.text
            for i in asked:
                assert re.search(rf'data-field="kegiatan_usaha\.{i}\.{key}"(?! hidden)', browser.text)
                first.update(_named(i, {key: order[i].environment[key]}))
            if key != PARAMETERS[0]:
                browser.submit(first)
        complete = {}
        for i in asked:
            complete.update(_named(i, order[i].environment))
        browser.submit(complete)
    browser.expect("pernyataan_mandiri")
    ticks = {key: "true" for key in ("pernyataan_k3l", "pernyataan_sppl", "pernyataan_standar_usaha")
             if re.search(rf'data-field="{key}"(?! hidden)', browser.text)}
    browser.submit(ticks)
    browser.expect("Periksa jawaban Anda")
    for a in order:
        assert f"Usaha {a.name}" in browser.text
    check_review_environment(browser.text, order)
    browser.submit({"setuju_terbitkan": "true"})
    done = re.fullmatch(r"/isian/([^/]+)/selesai", browser.page.request.path)
    assert done, (browser.page.request.path, browser.heading())
    return done.group(1)
