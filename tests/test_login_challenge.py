"""The log-in CAPTCHA: a picture with a refresh and a text alternative, and the same challenge on the API."""
import html
import re

import pytest

from .conftest import PASSWORD, PASSWORD_HASH, make_app
from .test_permohonan import PROFILE

WORDS = {w: i for i, w in enumerate(("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan",
                                     "sembilan", "sepuluh"))}
WRONG = "Salah#12345"


@pytest.fixture
def app(tmp_path, smtp, whatsapp):
    app = make_app(tmp_path, smtp, whatsapp, CAPTCHA=True)
    store = app.extensions["formserver"].store
    for i, name in enumerate(("budi0001", "sari0002")):
        store.insert_account({"id": f"acc{i}", "username": name, "email": f"{name}@example.test", "status": "active",
                              "password_hash": PASSWORD_HASH, "profile": PROFILE})
    return app


def solve(question: str) -> str:
    a, b = re.search(r"Berapa (\w+) ditambah (\w+)\?", question).groups()
    return str(WORDS[a] + WORDS[b])


def login_page(client, url="/masuk"):
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return page, token


def test_the_login_page_offers_a_text_question_and_a_new_challenge_without_javascript(app):
    client = app.test_client()
    page, _ = login_page(client)
    image = html.unescape(re.search(r'<img src="([^"]+)"', page).group(1))
    assert image.startswith("/captcha.png?c=")
    assert re.search(r"Berapa \w+ ditambah \w+\?", page)  # the alternative for people who cannot see the picture
    assert 'href="/masuk#field-captcha"' in page  # a plain link: a new picture and question
    assert client.get(image).data[:4] == b"\x89PNG"
    again, _ = login_page(client)
    assert re.search(r'<img src="([^"]+)"', again).group(1) != re.search(r'<img src="([^"]+)"', page).group(1)
    assert client.get(image).status_code == 404  # the old picture is gone with its challenge


def test_the_question_answers_the_challenge(app):
    client = app.test_client()
    page, token = login_page(client)
    answer = solve(html.unescape(page))
    r = client.post("/masuk", data={"csrf_token": token, "username": "budi0001", "password": PASSWORD, "captcha": answer})
    assert r.status_code == 302 and r.location == "/dasbor"


def test_the_picture_answers_the_challenge(app):
    from formserver.web import captcha
    client = app.test_client()
    page, token = login_page(client)
    challenge_id = re.search(r"c=([\w-]+)", page).group(1)
    with app.test_request_context():
        characters = captcha._answers(challenge_id)[0]
    r = client.post("/masuk", data={"csrf_token": token, "username": "budi0001", "password": PASSWORD,
                                    "captcha": characters.lower()})
    assert r.status_code == 302


def test_a_wrong_answer_is_refused_and_the_challenge_is_spent(app):
    from formserver.web import captcha
    client = app.test_client()
    page, token = login_page(client)
    with app.test_request_context():
        characters = captcha._answers(re.search(r"c=([\w-]+)", page).group(1))[0]
    r = client.post("/masuk", data={"csrf_token": token, "username": "budi0001", "password": PASSWORD, "captcha": "99"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'href="#field-captcha"' in body and "tantangan" in body
    # the first picture's characters no longer work (a sum could repeat by chance; five characters do not)
    r = client.post("/masuk", data={"csrf_token": token, "username": "budi0001", "password": PASSWORD,
                                    "captcha": characters})
    assert r.status_code == 422


def api_login(client, username="budi0001", password=PASSWORD, **challenge):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password, **challenge})


def answered(client):
    challenge = client.post("/api/v1/auth/challenge", json={})
    assert challenge.status_code == 201
    body = challenge.get_json()
    assert client.get(body["image"]).data[:4] == b"\x89PNG"
    return {"challenge_id": body["id"], "challenge_answer": solve(body["question"])}


def test_the_api_asks_for_a_challenge_after_three_failures_for_an_account(app):
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(3):
        r = api_login(attacker, password=WRONG)
        assert r.status_code == 401
    assert r.get_json()["challenge_required"] is True
    # from another address too: the account's failures count
    r = owner.post("/api/v1/auth/login", json={"username": "budi0001@example.test", "password": PASSWORD},
                   environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert r.status_code == 401 and r.get_json()["challenge_required"] is True
    r = api_login(owner, **answered(owner))
    assert r.status_code == 200


def test_the_api_asks_for_a_challenge_after_three_failures_from_an_address(app):
    client = app.test_client()
    for name in ("a1", "a2", "a3"):
        assert api_login(client, name, WRONG).status_code == 401
    r = api_login(client, "sari0002")  # another, untouched account, from the same address
    assert r.status_code == 401 and r.get_json()["challenge_required"] is True
    elsewhere = app.test_client()
    assert elsewhere.post("/api/v1/auth/login", json={"username": "sari0002", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert api_login(client, "sari0002", **answered(client)).status_code == 200


def test_no_challenge_before_three_failures(app):
    client = app.test_client()
    for _ in range(2):
        assert api_login(client, password=WRONG).get_json()["challenge_required"] is False
    assert api_login(client).status_code == 200


def test_an_api_challenge_is_good_for_one_try(app):
    client = app.test_client()
    for _ in range(3):
        api_login(client, password=WRONG)
    challenge = answered(client)
    assert api_login(client, password=WRONG, **challenge).status_code == 401
    assert api_login(client, **challenge).status_code == 401  # spent
    wrong = answered(client)
    assert api_login(client, **{**wrong, "challenge_answer": "x"}).status_code == 401
    assert api_login(client, challenge_id=5, challenge_answer=["x"]).status_code == 422  # odd types: no 500
    assert api_login(client, **answered(client)).status_code == 200
