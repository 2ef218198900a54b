"""/metrics: Prometheus figures for the operator's monitoring, answered only to the configured addresses."""

from __future__ import annotations

from prometheus_client import REGISTRY

from core import outbox
from core.extensions import db


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_answer_an_allowed_address(client) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert (
        'minyi_http_requests_total{endpoint="healthz' in response.text or "minyi_http_requests_total" in response.text
    )
    assert "minyi_queue_depth" in response.text and "minyi_outbox_messages" in response.text


def test_metrics_are_a_plain_404_to_anyone_else(client) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 404
    assert "minyi_" not in response.text


def test_a_network_can_be_allowed(app, client) -> None:
    app.config["METRICS_ALLOWED_IPS"] = ["10.0.0.0/8"]
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200
    assert client.get("/metrics").status_code == 404  # loopback is no longer in the list


def test_requests_are_counted_by_endpoint_with_their_latency(client) -> None:
    before = _value("minyi_http_requests_total", endpoint="public.home", method="GET", status="200")
    latency_before = _value("minyi_http_request_seconds_count", endpoint="public.home")
    assert client.get("/").status_code == 200
    assert _value("minyi_http_requests_total", endpoint="public.home", method="GET", status="200") == before + 1
    assert _value("minyi_http_request_seconds_count", endpoint="public.home") == latency_before + 1


def test_mail_sent_and_outbox_state_are_reported(app, client) -> None:
    before = _value("minyi_mail_total", outcome="sent")
    outbox.enqueue("a@example.cn", "s", "b")
    db.session.commit()
    outbox.wake()
    assert _value("minyi_mail_total", outcome="sent") == before + 1
    page = client.get("/metrics").text
    assert 'minyi_outbox_messages{status="sent"} 1.0' in page
