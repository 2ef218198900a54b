"""Structured logs on stdout: one JSON line per event and per request, for whatever collects them."""

from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stdout)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False
    access = logging.getLogger("minyi.access")
    access.handlers[:] = [handler]
    access.setLevel(logging.INFO)
    access.propagate = False

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def _log_request(response: Response) -> Response:
        if app.testing:
            return response
        started = g.get("request_started", time.perf_counter())
        access.info(
            "request",
            extra={
                "request_id": g.get("request_id", ""),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "remote_addr": request.remote_addr,
            },
        )
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        return response
