"""Outbound messages: SMTP, WhatsApp Cloud API and the development outbox."""
import socket
import threading

import pytest

from formserver.accounts import messages
from formserver.accounts.messages import (
    CHANNELS,
    DeliveryError,
    Message,
    Messenger,
    channel,
    parse_smtp_url,
    read_outbox,
)

try:  # works whether or not tests/ is a package
    from tests.smtp_server import free_port, running_smtp_server
    from tests.whatsapp_server import running_whatsapp_server
except ImportError:
    from smtp_server import free_port, running_smtp_server
    from whatsapp_server import running_whatsapp_server

TOKEN = "EAAG-secret-token-123"
PHONE_NUMBER_ID = "1098765432"
INDONESIAN = Message(
    to="pemohon@contoh.go.id",
    subject="Izin usaha Anda disetujui",
    body="Selamat! Permohonan Nomor Induk Berusaha (NIB) Anda telah disetujui.\n"
    "Silakan unduh dokumen di dasbor — terima kasih.\n",
)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def whatsapp_server(monkeypatch):
    """The fake Cloud API, reached directly even if a proxy is configured."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with running_whatsapp_server() as server:
        yield server


def whatsapp_config(server, tmp_path):
    """Messenger config pointing WhatsApp at ``server``."""
    return {
        "WHATSAPP_API_URL": server.url,
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "DATA_DIR": str(tmp_path),
    }


# --- e-mail over SMTP --------------------------------------------------------------------------


def test_email_arrives_over_smtp_with_utf8_body(smtp_server, tmp_path):
    messenger = Messenger({"SMTP_URL": smtp_server.url, "MAIL_FROM": "DPMPTSP <izin@contoh.go.id>"})
    messenger.send("email", INDONESIAN)

    [mail] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0].rcpt_tos == ["pemohon@contoh.go.id"]
    assert mail["To"] == "pemohon@contoh.go.id"
    assert mail["From"] == "DPMPTSP <izin@contoh.go.id>"
    assert mail["Subject"] == "Izin usaha Anda disetujui"
    assert mail["Message-ID"].endswith("@contoh.go.id>")
    assert mail["Date"]
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content() == INDONESIAN.body
    assert read_outbox(tmp_path) == []


def test_email_defaults_mail_from(smtp_server):
    Messenger({"SMTP_URL": smtp_server.url}).send("email", INDONESIAN)
    [mail] = smtp_server.wait_for(1)
    assert mail["From"] == "formserver <noreply@localhost>"


def test_email_logs_in_with_percent_decoded_credentials():
    with running_smtp_server(credentials=("izin@contoh.go.id", "p@ss:w/rd")) as server:
        url = server.url.replace("smtp://", "smtp://izin%40contoh.go.id:p%40ss%3Aw%2Frd@")
        Messenger({"SMTP_URL": url}).send("email", INDONESIAN)
        server.wait_for(1)
        assert server.logins == [("izin@contoh.go.id", "p@ss:w/rd")]


def test_email_wrong_password_is_delivery_error_without_password():
    with running_smtp_server(credentials=("user", "right")) as server:
        url = server.url.replace("smtp://", "smtp://user:wrong-secret@")
        with pytest.raises(DeliveryError) as error:
            Messenger({"SMTP_URL": url}).send("email", INDONESIAN)
    assert "wrong-secret" not in str(error.value)


def test_unreachable_smtp_is_delivery_error():
    messenger = Messenger({"SMTP_URL": f"smtp://127.0.0.1:{free_port()}"})
    with pytest.raises(DeliveryError, match="127.0.0.1"):
        messenger.send("email", INDONESIAN)


def test_silent_smtp_server_is_a_timeout_not_a_hang(monkeypatch):
    """A server that accepts and never greets: the send gives up after the timeout (no clock is read here: a
    send without a timeout would wait until the server hangs up, and report a closed connection instead)."""
    monkeypatch.setattr(messages, "TIMEOUT_SECONDS", 0.2)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted = []

    def accept_and_stay_silent():
        connection, _ = listener.accept()
        accepted.append(connection)
        release.wait(30)  # far longer than the timeout; then hang up
        connection.close()

    release = threading.Event()
    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    try:
        messenger = Messenger({"SMTP_URL": f"smtp://127.0.0.1:{listener.getsockname()[1]}"})
        with pytest.raises(DeliveryError, match="timed out"):
            messenger.send("email", INDONESIAN)
    finally:
        release.set()
        thread.join()
        listener.close()
    assert accepted  # the connection was made: the timeout was the server's silence


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://mail.example.com", ("plain", "mail.example.com", 25, "", "")),
        ("smtps://mail.example.com", ("tls", "mail.example.com", 465, "", "")),
        ("smtp+starttls://mail.example.com", ("starttls", "mail.example.com", 587, "", "")),
        ("smtp+starttls://a%40b.id:s%2Fcret@mx:2525", ("starttls", "mx", 2525, "a@b.id", "s/cret")),
    ],
)
def test_parse_smtp_url(url, expected):
    settings = parse_smtp_url(url)
    assert (settings.security, settings.host, settings.port, settings.user, settings.password) == expected


def test_bad_smtp_scheme_does_not_echo_password():
    with pytest.raises(ValueError) as error:
        parse_smtp_url("http://user:topsecret@mail.example.com")
    assert "topsecret" not in str(error.value)


# --- development outbox -----------------------------------------------------------------------


def test_email_outbox_writes_readable_eml(tmp_path):
    Messenger({"SMTP_URL": "", "DATA_DIR": str(tmp_path)}).send("email", INDONESIAN)

    [path] = (tmp_path / "outbox").iterdir()
    assert path.suffix == ".eml"
    raw = path.read_bytes()
    # Readable as-is: the Indonesian text is not base64 or quoted-printable.
    assert "dasbor — terima kasih".encode() in raw
    assert b"Message-ID:" in raw and b"Date:" in raw

    [entry] = read_outbox(tmp_path)
    assert entry["channel"] == "email"
    assert entry["to"] == INDONESIAN.to
    assert entry["subject"] == INDONESIAN.subject
    assert entry["body"] == INDONESIAN.body


def test_outbox_leaves_no_temporary_files(tmp_path):
    messenger = Messenger({"DATA_DIR": str(tmp_path)})
    messenger.send("email", INDONESIAN)
    messenger.send("whatsapp", Message("+62 812-3456-7890", "OTP", "Kode Anda 123456"))
    names = [p.name for p in (tmp_path / "outbox").iterdir()]
    assert len(names) == 2
    assert not [name for name in names if name.endswith(".tmp")]


def test_read_outbox_is_oldest_first_and_empty_without_outbox(tmp_path):
    assert read_outbox(tmp_path) == []
    messenger = Messenger({"DATA_DIR": str(tmp_path)})
    for number in range(3):
        messenger.send("email", Message("a@b.id", f"Pesan {number}", "isi"))
    assert [entry["subject"] for entry in read_outbox(tmp_path)] == ["Pesan 0", "Pesan 1", "Pesan 2"]


def test_outbox_without_data_dir_is_a_config_error():
    with pytest.raises(ValueError, match="DATA_DIR"):
        Messenger({}).send("email", INDONESIAN)


def test_whatsapp_outbox_when_not_configured(tmp_path):
    Messenger({"DATA_DIR": str(tmp_path), "WHATSAPP_TOKEN": TOKEN}).send(
        "whatsapp", Message("+62 812-3456-7890", "Kode verifikasi", "Kode verifikasi Anda: 123456")
    )
    [path] = (tmp_path / "outbox").iterdir()
    assert path.name.endswith(".whatsapp.json")
    [entry] = read_outbox(tmp_path)
    assert entry["channel"] == "whatsapp"
    assert entry["to"] == "6281234567890"
    assert entry["body"] == "Kode verifikasi Anda: 123456"


# --- WhatsApp Cloud API -----------------------------------------------------------------------


def test_whatsapp_posts_text_message(whatsapp_server, tmp_path):
    Messenger(whatsapp_config(whatsapp_server, tmp_path)).send(
        "whatsapp", Message("+62 812-3456-7890", "ignored", "Permohonan Anda telah diterima.")
    )

    [call] = whatsapp_server.calls
    assert call.method == "POST"
    assert call.path == f"/{PHONE_NUMBER_ID}/messages"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["content-type"] == "application/json"
    assert call.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {"preview_url": False, "body": "Permohonan Anda telah diterima."},
    }
    assert read_outbox(tmp_path) == []


def test_whatsapp_api_error_is_delivery_error_without_token(whatsapp_server, tmp_path):
    whatsapp_server.reply(400, {"error": {"message": "Invalid parameter", "type": "OAuthException"}})
    with pytest.raises(DeliveryError) as error:
        Messenger(whatsapp_config(whatsapp_server, tmp_path)).send("whatsapp", Message("628123", "", "Halo"))
    assert "Invalid parameter" in str(error.value)
    assert "400" in str(error.value)
    assert TOKEN not in str(error.value)


def test_whatsapp_error_without_json_still_names_status(whatsapp_server, tmp_path):
    whatsapp_server.reply(500, "Internal Server Error")
    with pytest.raises(DeliveryError, match="HTTP 500"):
        Messenger(whatsapp_config(whatsapp_server, tmp_path)).send("whatsapp", Message("628123", "", "Halo"))


def test_whatsapp_unreachable_is_delivery_error(tmp_path, monkeypatch):
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    config = {
        "WHATSAPP_API_URL": f"http://127.0.0.1:{free_port()}",
        "WHATSAPP_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
    }
    with pytest.raises(DeliveryError) as error:
        Messenger(config).send("whatsapp", Message("628123", "", "Halo"))
    assert TOKEN not in str(error.value)


# --- registry and messenger -------------------------------------------------------------------


def test_builtin_channels_are_registered():
    assert {"email", "whatsapp"} <= set(CHANNELS)


def test_duplicate_channel_name_raises():
    with pytest.raises(ValueError, match="email"):

        @channel("email")
        class Another:
            pass

    assert CHANNELS["email"] is messages.EmailChannel


def test_unknown_channel_is_key_error(tmp_path):
    with pytest.raises(KeyError):
        Messenger({"DATA_DIR": str(tmp_path)}).send("sms", INDONESIAN)


def test_messenger_builds_each_channel_once(tmp_path, monkeypatch):
    built = []
    original = messages.EmailChannel.from_config.__func__

    def counting_from_config(cls, config):
        built.append(cls)
        return original(cls, config)

    monkeypatch.setattr(messages.EmailChannel, "from_config", classmethod(counting_from_config))
    messenger = Messenger({"DATA_DIR": str(tmp_path)})
    messenger.send("email", INDONESIAN)
    messenger.send("email", INDONESIAN)
    assert built == [messages.EmailChannel]
    assert len(read_outbox(tmp_path)) == 2
