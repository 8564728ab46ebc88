"""The service information page (/layanan): the seed's 14 components from the office's data, linked from every
page's footer; the documents do not embed those texts."""
import json

from formserver.variants import office_of, read_variant, service_standard

from .conftest import ROOT

COMPONENTS = ["dasar_hukum", "persyaratan", "prosedur", "waktu", "biaya", "produk", "pengaduan", "sarana", "kompetensi",
              "pengawasan", "jumlah_pelaksana", "jaminan_pelayanan", "jaminan_keamanan", "evaluasi"]


def test_the_page_shows_the_fourteen_components(client):
    page = client.get("/layanan")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for key in COMPONENTS:
        assert f'id="{key}"' in text
    for words in ("Ditentukan oleh sistem OSS", "Gratis", "Sertifikat Standar", "PKPLH", "SPPL", "Pernyataan Mandiri",
                  "dpmptsp@kamparkab.go.id", "www.lapor.go.id", "0812-7646-0487", "5 (lima) orang",
                  "Izin Cepat Untung", "Undang-Undang Nomor 11 Tahun 2020", "diklat PTSP"):
        assert words in text, words
    english = client.get("/layanan?lang=en").get_data(as_text=True)
    assert "Set by the OSS system." in english and "Free." in english


def test_the_texts_are_data_and_stay_out_of_documents(app):
    kampar = json.loads((ROOT / "variants" / "kampar" / "variant.json").read_text(encoding="utf-8"))["identity"]
    assert [c["key"] for c in kampar["layanan"]["components"]] == COMPONENTS
    assert all(item["id"] and item["en"] for c in kampar["layanan"]["components"] for item in c["items"])
    running = app.extensions["formserver"].variant
    assert "layanan" not in running.office()  # documents embed and sign the office: not its service texts
    assert "layanan" not in office_of(read_variant("kampar").identity)
    assert service_standard(running.identity)["components"][3]["items"][0]["id"] == "Ditentukan oleh sistem OSS."


def test_every_page_links_to_it_from_the_footer(client):
    for url in ("/", "/masuk", "/layanan", "/pengaduan/status", "/ikm", "/formulir/pengaduan"):
        page = client.get(url).get_data(as_text=True)
        footer = page[page.index('<footer'):]
        assert 'href="/layanan"' in footer, url
