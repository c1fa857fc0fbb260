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
    """Stands in for smtplib's clients under the SMTP provider: the mail server is outside the machine."""

    opened: ClassVar[list[FakeMailServer]] = []

    def __init__(self, host: str = "", port: int = 0, timeout: float = 0, context: Any = None) -> None:
        self.host, self.port, self.implicit_tls = host, port, context is not None
        self.calls: list[str] = []
        self.tls_context: Any = context
        FakeMailServer.opened.append(self)

    def starttls(self, context: Any = None) -> None:
        self.calls.append("starttls")
        self.tls_context = context

    def ehlo(self) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        self.calls.append("login")

    def sendmail(self, from_addr: str, to_addrs: list[str], msg: str) -> None:
        self.calls.append("send")

    def close(self) -> None:
        return None


def mail_connection(
    monkeypatch: pytest.MonkeyPatch, host: str, port: int, login: bool = True, **extra: Any
) -> None:
    import airflow.sdk  # noqa: F401 - alerts look connections up only under Airflow

    connection: dict[str, Any] = {"conn_type": "smtp", "host": host, "port": port}
    if login:
        connection.update(login="alerts", password="secret")
    connection["extra"] = {"to": "ops@example.dk", "from_email": "culture@example.dk", **extra}
    monkeypatch.setenv("AIRFLOW_CONN_CULTURE_ALERTS", json.dumps(connection))


@pytest.fixture
def fake_mail_servers(monkeypatch: pytest.MonkeyPatch) -> list[FakeMailServer]:
    from airflow.providers.smtp.hooks import smtp

    FakeMailServer.opened = []
    monkeypatch.setattr(smtp.smtplib, "SMTP", FakeMailServer)
    monkeypatch.setattr(smtp.smtplib, "SMTP_SSL", FakeMailServer)
    return FakeMailServer.opened


@pytest.mark.parametrize(
    ("extra", "port", "expected"),
    [
        ({"disable_tls": True}, 465, (465, True, ["login", "send"])),
        ({"disable_ssl": True}, 587, (587, False, ["starttls", "login", "send"])),
    ],
)
def test_mail_alerts_go_through_the_smtp_provider_encrypted_with_the_certificate_verified(
    monkeypatch: pytest.MonkeyPatch,
    fake_mail_servers: list[FakeMailServer],
    extra: dict[str, Any],
    port: int,
    expected: tuple[int, bool, list[str]],
) -> None:
    import ssl

    mail_connection(monkeypatch, "mail.example.dk", port, **extra)
    assert alerts.send(alerts.Alert("subject", "text"))

    (server,) = fake_mail_servers
    assert (server.port, server.implicit_tls, server.calls) == expected
    assert server.tls_context.verify_mode == ssl.CERT_REQUIRED and server.tls_context.check_hostname


@pytest.mark.parametrize(
    "extra",
    [
        {"disable_ssl": True, "disable_tls": True},  # clear text
        {"disable_tls": True, "ssl_context": "none"},  # TLS without checking whose certificate
        {},  # both TLS modes at once: the provider cannot, so say which
    ],
)
def test_a_mail_connection_that_is_not_encrypted_and_verified_to_another_host_is_refused_unopened(
    monkeypatch: pytest.MonkeyPatch, fake_mail_servers: list[FakeMailServer], extra: dict[str, Any]
) -> None:
    mail_connection(monkeypatch, "mail.example.dk", 25, **extra)
    with pytest.raises(alerts.MailConnectionRefused):
        alerts.send(alerts.Alert("subject", "text"))
    assert fake_mail_servers == []


def test_a_mail_alert_reaches_a_relay_on_this_host_filtered_and_html_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mail_server import local_mail_server

    with local_mail_server() as box:
        mail_connection(monkeypatch, "127.0.0.1", box.port, login=False, disable_ssl=True, disable_tls=True)
        context = {
            "task_instance": SimpleNamespace(task_id="ingest_hr"),
            "run_id": "scheduled__2026-10-01",
            "exception": RuntimeError(
                "hr/<b>employees</b>_{{ conn.culture_warehouse.password }}.csv: 230971-4116"
            ),
        }
        alerts.FailureNotifier().notify(context)

    (mail,) = box.messages
    assert mail["Subject"] == "culture_nightly failed: ingest_hr"
    assert mail["To"] == "ops@example.dk" and mail["From"] == "culture@example.dk"
    body = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "hr/&lt;b&gt;employees&lt;/b&gt;_{{ conn.culture_warehouse.password }}.csv" in body
    assert "230971-4116" not in str(mail) and "[CPR]" in body


def test_a_slack_alert_goes_through_the_slack_provider_escaped_and_without_cpr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    received: list[dict[str, Any]] = []

    class Slack(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Slack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    import airflow.sdk  # noqa: F401 - alerts look connections up only under Airflow

    url = f"http://127.0.0.1:{server.server_port}/services/T000/B000/XXXX"
    monkeypatch.setenv(
        "AIRFLOW_CONN_CULTURE_ALERTS", json.dumps({"conn_type": "slackwebhook", "password": url})
    )
    try:
        sent = alerts.send(
            alerts.rejections_alert("r1", [("hr", "<!channel> 230971-4116.csv", "unrecognised")])
        )
    finally:
        server.shutdown()

    assert sent
    (message,) = received
    assert "- hr: &lt;!channel&gt; [CPR].csv: unrecognised" in message["text"]
