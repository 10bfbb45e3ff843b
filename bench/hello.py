"""The bare Flask app the benchmark compares against: one route, nothing else."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    """The cheapest response Flask can give."""
    return "Hallo"
