"""Alerts for the night shift: a failed task, or files rejected at the door.

Messages name the source, the file and the reason, and nothing else: no values, no names, and
every CPR-like number redacted. :func:`send` passes every alert through that filter again, in
front of every channel, and then hands it to an Airflow provider's notifier, called directly
(never rendered as a Jinja template: a file name is text, not a template). Where it goes is an
Airflow connection (default ``culture_alerts``):

- ``smtp``/``email``: the SMTP provider's ``SmtpNotifier`` mails the extra field ``to``, with the
  provider's connection extras. Always encrypted with the certificate verified: implicit TLS
  (``"disable_tls": true``, port 465) or STARTTLS (``"disable_ssl": true``, port 587); clear text
  (both set) or ``"ssl_context": "none"`` only to a relay on this host (127.0.0.1, ::1,
  localhost). Anything else is refused without connecting.
- ``slackwebhook``: the Slack provider's ``SlackWebhookNotifier`` (the webhook URL, or its token
  part after ``host``, in the password), the text escaped for Slack's markup.
- ``http``/``https``/``slack``: a Slack-compatible ``{"text": …}`` JSON POST to the URL.

Without the connection, the alert is only logged. One failure, one alert: the failed task's
callback.
"""

from __future__ import annotations

import html
import json
import logging
import sys
import urllib.request
from dataclasses import dataclass
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


class MailConnectionRefused(ValueError):
    """The SMTP connection would send alerts unencrypted or unverified to another host."""


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def filtered(alert: Alert) -> Alert:
    """The personal-data filter every alert passes before any channel: CPR-like numbers redacted."""
    return Alert(subject=redact_cpr(alert.subject)[:200], text=redact_cpr(alert.text))


def send(alert: Alert, conn_id: str = ALERT_CONNECTION) -> bool:
    """Deliver an alert through the Airflow connection; False when none is configured."""
    alert = filtered(alert)
    connection = _connection(conn_id)
    if connection is None:
        log.warning("%s (no Airflow connection %r: alert only logged)", alert.subject, conn_id)
        return False
    kind = (connection.conn_type or "").lower()
    if kind in ("smtp", "email"):
        _send_mail(alert, connection, conn_id)
    elif kind == "slackwebhook":
        _send_slack(alert, conn_id)
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


def why_not_sent(error: Exception) -> str:
    """What may be logged about an alert that failed: our own refusal's reason, else only the
    error's type (a mail server's or webhook's message may echo the alert or an address)."""
    return str(error) if isinstance(error, MailConnectionRefused) else type(error).__name__


def mail_encryption(connection: Any) -> str:
    """How the SMTP provider will talk to the connection's server: ``implicit TLS``, ``STARTTLS``
    or ``clear text`` (read as the provider reads its extras). MailConnectionRefused, before any
    connection is made, for clear text or an unverified certificate to another host, or for
    both TLS modes at once (which the provider cannot do)."""
    extra = connection.extra_dejson or {}
    implicit = not bool(extra.get("disable_ssl", False))
    starttls = not bool(extra.get("disable_tls", False))
    local = str(connection.host or "").strip().lower() in LOOPBACK
    if implicit and starttls:
        raise MailConnectionRefused(
            "SMTP connection: set the extra disable_tls (implicit TLS, port 465) or disable_ssl"
            " (STARTTLS, port 587), not neither"
        )
    mode = "implicit TLS" if implicit else "STARTTLS" if starttls else "clear text"
    if not local and (mode == "clear text" or extra.get("ssl_context") == "none"):
        raise MailConnectionRefused(
            f"SMTP connection to {connection.host}: alerts go encrypted with the certificate verified;"
            " clear text or ssl_context none only to a relay on this host"
        )
    return mode


def _send_mail(alert: Alert, connection: Any, conn_id: str) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    mail_encryption(connection)
    extra = connection.extra_dejson or {}
    recipients = extra.get("to") or []
    if isinstance(recipients, str):
        recipients = [address.strip() for address in recipients.split(",")]
    notifier = SmtpNotifier(
        to=recipients,
        from_email=extra.get("from_email") or "culture-warehouse@localhost",
        subject=alert.subject,
        html_content=f"<pre>{html.escape(alert.text, quote=False)}</pre>",
        smtp_conn_id=conn_id,
    )
    notifier.notify({})  # notify, not __call__: nothing of the alert is rendered as a template


def slack_text(text: str) -> str:
    """Text for Slack's markup: ``&``, ``<`` and ``>`` escaped, so no file name becomes a link or
    an @channel mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _send_slack(alert: Alert, conn_id: str) -> None:
    from airflow.providers.slack.notifications.slack_webhook import SlackWebhookNotifier

    notifier = SlackWebhookNotifier(slack_webhook_conn_id=conn_id, text=slack_text(alert.text))
    notifier.notify({})  # type: ignore[no-untyped-call]  # notify, not __call__: no template rendering


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
            log.error("could not send the failure alert: %s", why_not_sent(error))
