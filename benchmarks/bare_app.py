"""The bare Flask hello-world app that benchmarks/http_steps.py measures as its reference (not part of formserver).

Served the same way as formserver: gunicorn, 2 sync workers, an access log on stdout.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
