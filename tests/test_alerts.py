"""Alerts name the source, file and reason, carry no personal data, and reach a webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from culture_warehouse import alerts


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """A webhook receiver on loopback, configured as the Airflow connection culture_alerts."""
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    import airflow.sdk  # noqa: F401 - alerts look connections up only under Airflow

    monkeypatch.setenv("AIRFLOW_CONN_CULTURE_ALERTS", f"http://127.0.0.1:{server.server_port}/hook")
    yield received
    server.shutdown()


def test_a_failed_ingest_task_alerts_with_source_file_and_reason_but_no_cpr_number(
    webhook: list[dict[str, Any]],
) -> None:
    context = {
        "task_instance": SimpleNamespace(task_id="ingest_hr"),
        "run_id": "scheduled__2026-10-01",
        "exception": RuntimeError("hr/employees_20260930.csv: OperationalError: note 230971-4116"),
    }
    alerts.FailureNotifier().notify(context)
    assert len(webhook) == 1
    text = webhook[0]["text"]
    assert "source: hr" in text
    assert "hr/employees_20260930.csv" in text
    assert "OperationalError" in text
    assert "230971-4116" not in text and "[CPR]" in text


def test_rejected_files_are_listed_in_one_alert(webhook: list[dict[str, Any]]) -> None:
    sent = alerts.send(
        alerts.rejections_alert(
            "r1",
            [("hr", "hr/employees_20260630.csv", "missing required column 'hire_date'"),
             ("landing", "notes.txt", "unrecognised file")],
        )
    )  # fmt: skip
    assert sent
    assert "2 file(s) rejected" in webhook[0]["subject"]
    assert "hr: hr/employees_20260630.csv: missing required column 'hire_date'" in webhook[0]["text"]


def test_without_a_connection_the_alert_is_only_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_CULTURE_ALERTS", raising=False)
    assert alerts.send(alerts.Alert("s", "t"), conn_id="culture_alerts_not_configured") is False


class FakeMailServer:
    """Stands in for smtplib's clients: the mail server is outside the machine."""

    opened: ClassVar[list[FakeMailServer]] = []

    def __init__(self, host: str, port: int, timeout: float = 0, context: Any = None) -> None:
        self.host, self.port, self.implicit_tls = host, port, context is not None
        self.calls: list[str] = []
        self.tls_context: Any = context
        FakeMailServer.opened.append(self)

    def __enter__(self) -> FakeMailServer:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def starttls(self, context: Any = None) -> None:
        self.calls.append("starttls")
        self.tls_context = context

    def login(self, user: str, password: str) -> None:
        self.calls.append("login")

    def send_message(self, message: Any) -> None:
        self.calls.append("send")


@pytest.mark.parametrize(
    ("extra", "port", "expected"),
    [
        ({}, None, (587, False, ["starttls", "login", "send"])),
        ({"ssl": True}, None, (465, True, ["login", "send"])),
        ({}, 465, (465, True, ["login", "send"])),
        ({"starttls": False}, 25, (25, False, ["login", "send"])),
    ],
)
def test_mail_alerts_are_encrypted_and_verified_unless_a_local_relay_opts_out(
    monkeypatch: pytest.MonkeyPatch,
    extra: dict[str, Any],
    port: int | None,
    expected: tuple[int, bool, list[str]],
) -> None:
    import ssl

    FakeMailServer.opened = []
    monkeypatch.setattr(alerts.smtplib, "SMTP", FakeMailServer)
    monkeypatch.setattr(alerts.smtplib, "SMTP_SSL", FakeMailServer)
    connection = SimpleNamespace(
        host="mail.example.dk",
        port=port,
        login="alerts",
        password="secret",
        extra_dejson={"to": "ops@example.dk", **extra},
    )
    alerts._send_mail(alerts.Alert("subject", "text"), connection)

    (server,) = FakeMailServer.opened
    assert (server.port, server.implicit_tls, server.calls) == expected
    if expected[2][0] == "starttls" or expected[1]:
        assert server.tls_context.verify_mode == ssl.CERT_REQUIRED and server.tls_context.check_hostname
