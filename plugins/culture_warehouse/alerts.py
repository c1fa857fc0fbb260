"""Alerts for the night shift: a failed task, or files rejected at the door.

Messages name the source, the file and the reason, and nothing else: no values, no names, and
every CPR-like number redacted. Where they go is an Airflow connection (default
``culture_alerts``): an ``http``/``https`` connection is a webhook (Slack-compatible ``{"text": …}``
JSON), ``slack``/``slackwebhook`` the same to its webhook URL, and ``smtp``/``email`` sends an
e-mail to the addresses in the connection's extra field ``to``, always encrypted (STARTTLS on
port 587 by default, implicit TLS with ``"ssl": true`` or port 465, the certificate verified;
only ``"starttls": false`` sends in the clear, for a relay on the same host). Without the
connection, the alert is only logged. One failure, one alert: the failed task's callback.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import sys
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

from culture_warehouse.privacy import redact_cpr

log = logging.getLogger(__name__)

ALERT_CONNECTION = "culture_alerts"
_MAX_REASON = 600


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str


def failure_alert(context: dict[str, Any]) -> Alert:
    """The alert for a failed task: which night, which source (task) and why."""
    task_id = str(getattr(context.get("task_instance") or context.get("ti"), "task_id", "unknown task"))
    source = task_id.removeprefix("ingest_") if task_id.startswith("ingest_") else "all sources"
    reason = redact_cpr(str(context.get("exception") or "unknown error"))[:_MAX_REASON]
    run_id = context.get("run_id", "unknown run")
    subject = f"culture_nightly failed: {task_id}"
    text = f"{subject}\nrun: {run_id}\nsource: {source}\nreason: {reason}"
    return Alert(subject=subject, text=text)


def rejections_alert(run_id: str, rejected: list[tuple[str, str, str]]) -> Alert:
    """The alert for files rejected at the door: (source, file, reason) each."""
    lines = [f"- {source}: {file}: {redact_cpr(reason)[:_MAX_REASON]}" for source, file, reason in rejected]
    subject = f"culture_nightly: {len(rejected)} file(s) rejected"
    return Alert(subject=subject, text="\n".join([subject, f"run: {run_id}", *lines]))


def send(alert: Alert, conn_id: str = ALERT_CONNECTION) -> bool:
    """Deliver an alert through the Airflow connection; False when none is configured."""
    connection = _connection(conn_id)
    if connection is None:
        log.warning("%s (no Airflow connection %r: alert only logged)", alert.subject, conn_id)
        return False
    kind = (connection.conn_type or "").lower()
    if kind in ("smtp", "email"):
        _send_mail(alert, connection)
    else:
        _post_webhook(alert, _webhook_url(connection))
    return True


def _connection(conn_id: str) -> Any:
    if "airflow.sdk" not in sys.modules:
        return None
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id)
    except Exception:
        return None


def _webhook_url(connection: Any) -> str:
    host = str(connection.host or "")
    if host.startswith(("http://", "https://")):
        return host
    scheme = "https" if (connection.conn_type or "").lower() in ("https", "slack", "slackwebhook") else "http"
    port = f":{connection.port}" if connection.port else ""
    path = str(connection.schema or "")
    return f"{scheme}://{host}{port}/{path.lstrip('/')}"


def _post_webhook(alert: Alert, url: str) -> None:
    body = json.dumps({"text": alert.text, "subject": alert.subject}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _send_mail(alert: Alert, connection: Any) -> None:
    extra = connection.extra_dejson or {}
    recipients = extra.get("to") or []
    if isinstance(recipients, str):
        recipients = [address.strip() for address in recipients.split(",")]
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = extra.get("from", "culture-warehouse@localhost")
    message["To"] = ", ".join(recipients)
    message.set_content(alert.text)
    # Encrypted unless the connection says otherwise: implicit TLS (``"ssl": true`` or port 465)
    # or STARTTLS on the submission port, with the server's certificate verified; a server
    # without STARTTLS fails the alert (logged) rather than sending the login in the clear. A
    # trusted relay on the same host may set ``"starttls": false``.
    context = ssl.create_default_context()
    host = connection.host or "localhost"
    implicit = bool(extra.get("ssl")) or connection.port == 465
    port = int(connection.port or (465 if implicit else 587))
    client = (
        smtplib.SMTP_SSL(host, port, timeout=10, context=context)
        if implicit
        else smtplib.SMTP(host, port, timeout=10)
    )
    with client as smtp:
        if not implicit and extra.get("starttls", True) is not False:
            smtp.starttls(context=context)
        if connection.login:
            smtp.login(connection.login, connection.password or "")
        smtp.send_message(message)


class FailureNotifier(BaseNotifier):
    """Airflow notifier for ``on_failure_callback``: sends :func:`failure_alert`."""

    template_fields = ()

    def __init__(self, conn_id: str = ALERT_CONNECTION) -> None:
        super().__init__()
        self.conn_id = conn_id

    def notify(self, context: Any) -> None:
        try:
            send(failure_alert(dict(context)), self.conn_id)
        except Exception as error:  # an alert must never mask the failure it reports
            log.error("could not send the failure alert: %s", type(error).__name__)
