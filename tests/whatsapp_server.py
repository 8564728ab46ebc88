"""A local stand-in for the WhatsApp Cloud API that records each call, for tests."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK_RESPONSE = {"messaging_product": "whatsapp", "messages": [{"id": "wamid.X"}]}


@dataclass
class Call:
    """One request the fake API received."""

    method: str
    path: str
    headers: dict  # lower-case names, since HTTP header names are case-insensitive
    body: object  # parsed JSON, or the raw text when it is not JSON


class RunningWhatsAppServer:
    """What ``running_whatsapp_server()`` yields: the base URL, recorded calls and the reply to give."""

    def __init__(self, url: str):
        self.url = url
        self.calls: list[Call] = []
        self.status = 200
        self.response: object = OK_RESPONSE

    def reply(self, status: int, response: object) -> None:
        """Answer later calls with ``status`` and the JSON ``response``."""
        self.status = status
        self.response = response


def _handler_for(state: RunningWhatsAppServer):
    """A request handler class bound to ``state``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            """Record the call and answer with the configured reply."""
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
            state.calls.append(Call("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            payload = json.dumps(state.response).encode("utf-8")
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            """Keep test output quiet."""

    return Handler


@contextmanager
def running_whatsapp_server():
    """Run the fake Cloud API on a free 127.0.0.1 port."""
    state = RunningWhatsAppServer("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval keeps shutdown() fast.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
