"""The bare Flask hello-world each benchmark measures in the same run, so figures can be read as ratios."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
