"""The registration in HTML through Flask's test client: no JavaScript, CSRF on, GOV.UK-style errors."""
import io
import re

import pytest
from pypdf import PdfReader

from .conftest import PASSWORD, PASSWORD_HASH, PERSON, code_from, make_app


@pytest.fixture
def html_app(tmp_path, smtp, whatsapp):
    return make_app(tmp_path, smtp, whatsapp, WTF_CSRF_ENABLED=True)


class Browser:
    """Follows pages like a browser without JavaScript: reads the CSRF token from each form."""

    def __init__(self, client):
        self.client, self.page = client, None

    def get(self, url):
        self.page = self.client.get(url, follow_redirects=True)
        return self.page

    def submit(self, data, url=None):
        html = self.page.get_data(as_text=True)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        action = url or re.search(r'<form method="post" novalidate action="([^"]+)"', html).group(1).replace("&amp;", "&")
        self.page = self.client.post(action, data={**hidden, **data}, follow_redirects=True)
        return self.page

    @property
    def text(self):
        return self.page.get_data(as_text=True)


@pytest.fixture
def browser(html_app):
    return Browser(html_app.test_client())


def _html_person():
    person = {k: v for k, v in PERSON.items() if k != "setuju_disclaimer"}
    return {**person, "tanggal_lahir": "17-08-1990", "setuju_disclaimer": "true"}


def test_full_registration_without_javascript(browser, smtp):
    browser.get("/daftar")
    assert "Pendaftaran Hak Akses OSS" in browser.text
    browser.submit({}, url="/formulir/registrasi")
    assert "Langkah 1 dari 7" in browser.text
    browser.submit({"skala_usaha": "UMK"})
    browser.submit({"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})
    before = len(smtp.messages)
    browser.submit({"nomor_telepon": "081276460487", "email": "html@example.test", "kirim_kode_via": "EMAIL",
                    "setuju_pernyataan": "true"})
    smtp.wait_for(before + 1)
    assert "Kode verifikasi" in browser.text and "Perbarui Kode" in browser.text
    browser.submit({"kode_verifikasi": code_from(smtp.messages[before])})
    browser.submit({"nama_lengkap": "Budi Santoso", "password": PASSWORD, "password_konfirmasi": PASSWORD})
    assert "Data pelaku usaha" in browser.text
    # cascading choices without JavaScript: choose, press "Perbarui pilihan wilayah", choose the next
    browser.submit({"provinsi": "14", "_action": "refresh"})
    assert "Kabupaten Kampar" in browser.text
    browser.submit({"provinsi": "14", "kabupaten": "14.01", "_action": "refresh"})
    assert "Bangkinang Kota" in browser.text
    browser.submit({"provinsi": "14", "kabupaten": "14.01", "kecamatan": "14.01.01", "_action": "refresh"})
    assert "Langgini" in browser.text
    browser.submit(_html_person())
    # check your answers, then register
    assert "Periksa jawaban Anda" in browser.text
    assert "1401011708900001" in browser.text and "17 Agustus 1990" in browser.text and "Kabupaten Kampar" in browser.text
    assert PASSWORD not in browser.text
    browser.submit({})
    assert "Pendaftaran berhasil" in browser.text
    username = re.search(r'class="username">([^<]+)<', browser.text).group(1)
    # log in and see the empty dashboard
    browser.get("/masuk")
    browser.submit({"username": username, "password": PASSWORD}, url="/masuk")
    assert "Selamat datang" in browser.text and "Budi Santoso" in browser.text


def test_error_summary_links_to_fields(browser):
    browser.get("/formulir/registrasi")
    browser.submit({}, url="/formulir/registrasi")
    browser.submit({"skala_usaha": "UMK"})
    browser.submit({"jenis_pelaku_usaha": "ORANG_PERSEORANGAN", "kewarganegaraan": "WNI"})
    page = browser.submit({"nomor_telepon": "021", "email": ""})
    assert page.status_code == 422
    assert 'class="error-summary"' in browser.text
    assert 'href="#field-email"' in browser.text and 'href="#field-nomor_telepon"' in browser.text
    assert 'id="error-email"' in browser.text
    assert "<title>Kesalahan: " in browser.text
    assert 'value="021"' in browser.text  # what was typed is kept


def test_resume_where_the_draft_stopped(browser):
    browser.get("/formulir/registrasi")
    browser.submit({}, url="/formulir/registrasi")
    browser.submit({"skala_usaha": "UMK"})
    browser.get("/formulir/registrasi")
    assert "Lanjutkan" in browser.text
    browser.submit({"_action": "resume"}, url="/formulir/registrasi")
    assert "Jenis pelaku usaha" in browser.text and "Langkah 2 dari 7" in browser.text


def test_jumping_ahead_redirects_to_the_open_step(browser):
    browser.get("/formulir/registrasi")
    page = browser.submit({}, url="/formulir/registrasi")
    sid = re.search(r"/isian/([^/]+)/skala", page.request.path).group(1)
    browser.get(f"/isian/{sid}/akun")
    assert "Skala usaha" in browser.text and "belum dapat dibuka" in browser.text


def test_english_pages(browser):
    browser.get("/?lang=en")
    assert "Business licensing" in browser.text and 'lang="en"' in browser.text
    browser.get("/masuk")
    assert "Log in" in browser.text  # the choice sticks for the session


def test_captcha_on_the_login_page(tmp_path, smtp, whatsapp):
    app = make_app(tmp_path, smtp, whatsapp, CAPTCHA=True)
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    assert 'src="/captcha.png' in page
    image = client.get("/captcha.png")
    assert image.mimetype == "image/png" and image.data[:4] == b"\x89PNG"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/masuk", data={"csrf_token": token, "username": "x", "password": "y", "captcha": "WRONG"})
    assert r.status_code == 422 and "gambar" in r.get_data(as_text=True)


def test_questions_revealed_by_an_answer_are_asked_not_flagged(browser):
    browser.get("/formulir/registrasi")
    browser.submit({}, url="/formulir/registrasi")
    browser.submit({"skala_usaha": "UMK"})
    page = browser.submit({"jenis_pelaku_usaha": "ORANG_PERSEORANGAN"})
    assert page.status_code == 200 and 'class="error-summary"' not in browser.text
    assert "pertanyaan tambahan" in browser.text and "Kewarganegaraan" in browser.text
    page = browser.submit({"jenis_pelaku_usaha": "ORANG_PERSEORANGAN"})
    assert page.status_code == 422 and 'href="#field-kewarganegaraan"' in browser.text


def test_repeating_groups_and_their_later_steps_without_javascript(branching_app):
    browser = Browser(branching_app.test_client())
    browser.get("/formulir/cabang")
    browser.submit({}, url="/formulir/cabang")
    browser.submit({"jenis": "B"})
    assert "Khusus B" in browser.text
    browser.submit({"_action": "add:produk"})
    browser.submit({"produk.0.nama_produk": "Keripik", "produk.0.kapasitas": "5", "_action": "add:produk"})
    assert 'name="produk.1.nama_produk"' in browser.text and 'value="Keripik"' in browser.text
    browser.submit({"produk.0.nama_produk": "Keripik", "produk.0.kapasitas": "5",
                    "produk.1.nama_produk": "Sambal", "produk.1.kapasitas": "0"})
    assert 'href="#field-produk.1.kapasitas"' in browser.text
    browser.submit({"produk.0.nama_produk": "Keripik", "produk.0.kapasitas": "5",
                    "produk.1.nama_produk": "Sambal", "produk.1.kapasitas": "7"})
    # the next step asks once per product, titled by the item_label rule
    assert "Rincian produk" in browser.text and "Produk Keripik" in browser.text and "Produk Sambal" in browser.text
    browser.submit({"produk.0.harga": "10.000", "_action": "add:produk.0.bahan"})
    assert 'name="produk.0.bahan.0.nama_bahan"' in browser.text
    browser.submit({"produk.0.harga": "10.000", "produk.0.bahan.0.nama_bahan": "Singkong", "produk.1.harga": "Rp 25.000"})
    assert "Periksa jawaban Anda" in browser.text


def test_a_form_that_needs_a_login_sends_you_to_log_in_and_back(branching_app):
    client = branching_app.test_client()
    r = client.get("/formulir/akses")
    assert r.status_code == 302 and "/masuk?lanjut=/formulir/akses" in r.location
    browser = Browser(client)
    browser.get("/masuk?lanjut=//evil.example/x")
    branching_app.extensions["formserver"].store.insert_account({
        "id": "a1", "username": "budi1", "email": "b@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": {"skala_usaha": "UMK", "jenis_pelaku_usaha": "ORANG_PERSEORANGAN"}})
    page = client.post("/masuk?lanjut=//evil.example/x", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', browser.text).group(1),
        "username": "budi1", "password": PASSWORD})
    assert page.location == "/dasbor"
    page = client.post("/keluar", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', browser.text).group(1)})
    browser.get("/masuk?lanjut=/formulir/akses")
    page = client.post("/masuk?lanjut=/formulir/akses", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', browser.text).group(1),
        "username": "budi1", "password": PASSWORD})
    assert page.location == "/formulir/akses"


def test_permit_application_without_javascript(html_app):
    from .test_permohonan import PROFILE
    html_app.extensions["formserver"].store.insert_account({
        "id": "acc1", "username": "budi0001", "email": "budi@example.test", "status": "active",
        "password_hash": PASSWORD_HASH, "profile": PROFILE})
    browser = Browser(html_app.test_client())
    browser.get("/masuk")
    browser.submit({"username": "budi0001", "password": PASSWORD}, url="/masuk")
    assert "Permohonan Baru" in browser.text
    browser.get("/formulir/permohonan")
    browser.submit({}, url="/formulir/permohonan")
    assert "1401011708900001" in browser.text  # prefilled from the account, read-only
    browser.submit({"npwp": "012345678901000", "email": "usaha@example.test"})
    assert "Bidang usaha" in browser.text, browser.text[-3000:]
    browser.submit({"_action": "add:kegiatan_usaha"})
    browser.submit({"kegiatan_usaha.0.jenis_kegiatan": "UTAMA", "kegiatan_usaha.0.kbli": "47191",
                    "kegiatan_usaha.0.ruang_lingkup": "Toko kelontong"})
    assert "Validasi" in browser.text or "Detail usaha" in browser.text
    assert "KBLI 47191" in browser.text  # the item's title
    assert 'value="refresh"' in browser.text and "Validasi Risiko" in browser.text
    assert 'data-lookup="/api/v1/reference/kbli"' not in browser.text  # the lookup is on the activities step
    item = {f"kegiatan_usaha.0.{k}": str(v) for k, v in {
        "nama_usaha": "Warung Budi", "luas_lahan_m2": 50, "alamat_usaha": "Jl. Merdeka 5", "provinsi_usaha": "14",
        "kabupaten_usaha": "14.01", "kecamatan_usaha": "14.01.01", "kelurahan_usaha": "14.01.01.1011",
        "kode_pos": "28411", "sudah_berjalan": "YA", "modal_usaha": "50.000.000", "punya_izin_sebelumnya": "TIDAK",
        "perkiraan_jangka_waktu_operasi": 10, "deskripsi_kegiatan": "Jualan", "jumlah_tenaga_kerja": 2}.items()}
    browser.submit({**item, "_action": "refresh"})  # "Validasi Risiko" without JavaScript
    assert ">Mikro<" in browser.text and ">Rendah<" in browser.text  # computed on the server, shown by label
    browser.submit(item)
    assert "Produk" in browser.text
    browser.submit({"_action": "add:kegiatan_usaha.0.produk"})
    browser.submit({"kegiatan_usaha.0.produk.0.jenis_produk": "Sembako", "kegiatan_usaha.0.produk.0.kapasitas_per_tahun": "100",
                    "kegiatan_usaha.0.produk.0.satuan_kapasitas": "KG"})
    assert "Ringkasan usaha" in browser.text and "Sembako" in browser.text and "Warung Budi" in browser.text
    browser.submit({})
    browser.submit({"kegiatan_usaha.0.dipilih": "true"})
    assert "Pernyataan mandiri" in browser.text
    browser.submit({"pernyataan_k3l": "true", "pernyataan_sppl": "true"})
    assert "Periksa jawaban Anda" in browser.text and "Lihat draf NIB" in browser.text
    sid = re.search(r"/isian/([^/]+)/draf/nib", browser.text).group(1)
    draft = browser.client.get(f"/isian/{sid}/draf/nib")
    assert draft.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(draft.data)).pages)
    assert "Budi Santoso" in text and "47191" in text and "BUKAN DOKUMEN RESMI" in text
    browser.submit({"setuju_terbitkan": "true"})
    assert "Perizinan Berusaha telah terbit" in browser.text and "Pernyataan Mandiri" in browser.text
    assert "Risiko tervalidasi" in browser.text and "Terbit" in browser.text and "RISIKO_TERVALIDASI" not in browser.text
