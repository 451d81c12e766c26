"""The ceiling for `scripts/bench_serve.py`: a bare Flask app answering "hello", served by the same gunicorn
settings as the portal (portal/gunicorn_conf.py), so that the ratio measures the portal's own work."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
