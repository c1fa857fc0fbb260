"""Airflow as a deployment runs it, on this machine: ``make airflow`` and the scheduler tests.

Three processes, as in docker-compose.yml: the scheduler (LocalExecutor), the DAG processor and
the API server (the UI, the REST API and the execution API the tasks report to), their metadata
in PostgreSQL: a database ``airflow`` beside the warehouse on the same server (the embedded one
by default). Every process gets the same environment from :func:`airflow_environment`, so the
tests run exactly what ``make airflow`` runs. Login: the simple auth manager, user ``admin``, its
password in ``AIRFLOW_HOME/passwords.json`` (generated once, never logged).

With ``--executor celery`` the scheduler runs the CeleryExecutor and hands every task to one or
more ``airflow celery worker`` processes, as the compose profile ``celery`` does. There is no
Redis here: the broker is kombu's SQLAlchemy transport on a database ``airflow_celery`` of the
same PostgreSQL, the results go to Airflow's metadata database (Celery's ``db+`` backend).

``python -m culture_dev.airflow_local [--executor celery --workers 2]`` starts it in the
foreground until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg

from culture_warehouse.config import project_dir, state_dir

DAG_ID = "culture_nightly"
ADMIN = "admin"
METADATA_DATABASE = "airflow"
BROKER_DATABASE = "airflow_celery"
COMPONENTS = ("scheduler", "dag-processor", "api-server")
EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def metadata_database(server_dsn: str, database: str = METADATA_DATABASE) -> str:
    """Create Airflow's own database on the server if missing; its SQLAlchemy URL (psycopg 2)."""
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
    url = urlparse(server_dsn)
    return urlunparse(url._replace(scheme="postgresql+psycopg2", path=f"/{database}"))


def broker_database(server_dsn: str, database: str = BROKER_DATABASE) -> str:
    """A database of its own for Celery's messages (created if missing); its kombu broker URL.

    kombu's SQLAlchemy transport keeps its queue and message tables there (it creates them), apart
    from Airflow's metadata: it never deletes a consumed message, only hides it, so the database
    grows by a row per task and can be dropped whenever no worker runs.
    """
    return "sqla+" + metadata_database(server_dsn, database)


def _secret(home: Path, name: str, make: Any) -> str:
    """A secret kept in AIRFLOW_HOME (mode 0600), made once: a restart keeps tokens and connections."""
    path = home / name
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(make())
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def admin_password(home: Path) -> str:
    """The admin's password, from the simple auth manager's passwords file (made once)."""
    passwords = home / "passwords.json"
    if not passwords.exists():
        passwords.touch(mode=0o600)
        passwords.write_text(json.dumps({ADMIN: secrets.token_urlsafe(18)}))
    return str(json.loads(passwords.read_text())[ADMIN])


def airflow_environment(
    home: Path,
    metadata_url: str,
    warehouse_dsn: str,
    port: int,
    parallelism: int = 2,
    scheduled_runs: bool = True,
    celery_broker: str | None = None,
) -> dict[str, str]:
    """The environment every Airflow process (and so every task) gets, over ``os.environ``.

    With ``celery_broker`` (a kombu URL, :func:`broker_database`) the executor is the
    CeleryExecutor: the scheduler sends each task through the broker to a worker, and Celery
    keeps each task's state in Airflow's metadata database.
    """
    home.mkdir(parents=True, exist_ok=True)
    admin_password(home)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project_dir() / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project_dir() / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": EXECUTORS["celery" if celery_broker else "local"],
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__CORE__FERNET_KEY": _secret(home, "fernet_key", _fernet_key),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": _secret(home, "jwt_secret", lambda: secrets.token_urlsafe(32)),
        # Off only where no night should start by the clock (the test triggers its own).
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(scheduled_runs),
        # The LocalExecutor's task-log server listens on every interface (Airflow has no setting
        # for its host): a free port, so two of these on one machine do not collide.
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "CULTURE_WAREHOUSE_DSN": warehouse_dsn,
        "GX_ANALYTICS_ENABLED": "False",
        # The airflow command of this virtualenv for every process the executor starts.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    if celery_broker:
        env |= {
            "AIRFLOW__CELERY__BROKER_URL": celery_broker,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata_url}",
            # Each task's result row names the worker that ran it (celery_taskmeta.worker): how
            # an operator, and the test, see which worker took which folder.
            "AIRFLOW__CELERY__EXTRA_CELERY_CONFIG": json.dumps({"result_extended": True}),
            # One task at a time per worker: every ingest task is CPU-bound (README, Design decisions).
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1",
        }
    return env


class AirflowError(RuntimeError):
    """Airflow did not start, or a request to its REST API failed."""


@dataclass
class LocalAirflow:
    """The Airflow processes, started in their own process group each, and their REST API.

    The three of every deployment, and under the CeleryExecutor ``workers`` Celery workers named
    ``worker1@<host>``, ``worker2@<host>`` … (their task processes write task logs into the same
    ``AIRFLOW_HOME/logs``, where the API server reads them, so they serve none themselves).
    """

    env: dict[str, str]
    workers: int = 0
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _token: str | None = None

    def __post_init__(self) -> None:
        celery = self.env["AIRFLOW__CORE__EXECUTOR"] == EXECUTORS["celery"]
        if celery != (self.workers > 0):
            raise AirflowError("the CeleryExecutor needs at least one worker, and only it uses workers")

    @property
    def components(self) -> dict[str, list[str]]:
        """Each process's name and its ``airflow`` subcommand."""
        commands = {component: [component] for component in COMPONENTS}
        for number in range(1, self.workers + 1):
            commands[f"celery-worker-{number}"] = [
                "celery",
                "worker",
                "--celery-hostname",
                f"worker{number}@%h",
                "--skip-serve-logs",
            ]
        return commands

    @property
    def home(self) -> Path:
        return Path(self.env["AIRFLOW_HOME"])

    @property
    def url(self) -> str:
        return self.env["AIRFLOW__API__BASE_URL"]

    def airflow(self) -> str:
        found = shutil.which("airflow", path=self.env["PATH"])
        if found is None:
            raise AirflowError("no airflow command on PATH")
        return found

    def migrate(self) -> None:
        done = subprocess.run(
            [self.airflow(), "db", "migrate"], env=self.env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise AirflowError(f"airflow db migrate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")

    def start(self, foreground_logs: bool = False) -> None:
        logs = self.home / "process-logs"
        logs.mkdir(exist_ok=True)
        if self.workers:
            self.declare_task_queue()
        for component, command in self.components.items():
            output: Any = None if foreground_logs else open(logs / f"{component}.log", "ab")  # noqa: SIM115
            self.processes[component] = subprocess.Popen(
                [self.airflow(), *command],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a process group of its own, stopped as one in stop()
            )
            if output is not None:
                output.close()

    def declare_task_queue(self) -> None:
        """Create the broker's task queue before any worker starts: workers starting together each
        found it missing and created it, and the second one's insert broke kombu's unique queue
        name (a worker exited at start, seen once in a full test run)."""
        import kombu

        name = self.env.get("AIRFLOW__OPERATORS__DEFAULT_QUEUE", "default")
        connection: Any = kombu.Connection(self.env["AIRFLOW__CELERY__BROKER_URL"])  # type: ignore[attr-defined,no-untyped-call]
        with connection:
            queue: Any = kombu.Queue(name, channel=connection.channel())  # type: ignore[attr-defined,no-untyped-call]
            queue.declare()

    def stop(self, grace: float = 30) -> None:
        """SIGTERM each process group (the executor's task processes too), SIGKILL what remains."""
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.processes.clear()

    def log_tail(self, chars: int = 3000) -> str:
        parts = []
        for component in self.components:
            path = self.home / "process-logs" / f"{component}.log"
            if path.exists():
                parts.append(f"--- {component}\n{path.read_text(errors='replace')[-chars:]}")
        return "\n".join(parts)

    def _check_running(self) -> None:
        for component, process in self.processes.items():
            if process.poll() is not None:
                raise AirflowError(f"airflow {component} exited ({process.returncode})\n{self.log_tail()}")

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """A REST API call with the admin's token; the decoded JSON answer."""
        headers = {"Content-Type": "application/json"}
        if not path.startswith("/auth/"):
            headers["Authorization"] = f"Bearer {self.token()}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise AirflowError(f"{method} {path}: {error.code} {error.read()[:500]!r}") from None

    def token(self) -> str:
        """A JWT from the simple auth manager: POST /auth/token with the admin's credentials."""
        if self._token is None:
            answer = self.request(
                "POST", "/auth/token", {"username": ADMIN, "password": admin_password(self.home)}
            )
            self._token = str(answer["access_token"])
        return self._token

    def wait_until_ready(self, timeout: float = 300) -> None:
        """Until the API answers, the scheduler and DAG processor are healthy and the DAG is parsed."""
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            self._check_running()
            try:
                health = self.request("GET", "/api/v2/monitor/health")
                healthy = all(
                    health.get(part, {}).get("status") == "healthy"
                    for part in ("metadatabase", "scheduler", "dag_processor")
                )
                if healthy:
                    self.request("GET", f"/api/v2/dags/{DAG_ID}")
                    return
                last = health
            except (AirflowError, OSError) as error:
                last = error
            time.sleep(2)
        raise AirflowError(f"Airflow not ready after {timeout:.0f} s: {last}\n{self.log_tail()}")

    def trigger(self, conf: dict[str, str], logical_date: str | None = None) -> str:
        """Unpause the DAG and trigger a run with ``conf``; its run id."""
        self.request("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        run = self.request(
            "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": logical_date, "conf": conf}
        )
        return str(run["dag_run_id"])

    def wait_for_run(self, run_id: str, timeout: float = 600) -> str:
        """The run's final state (success or failed), polling the REST API."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_running()
            state = str(self.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}")["state"])
            if state in ("success", "failed"):
                return state
            time.sleep(3)
        raise AirflowError(f"run {run_id} not finished after {timeout:.0f} s\n{self.log_tail()}")

    def task_states(self, run_id: str) -> dict[str, str | None]:
        answer = self.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances")
        return {ti["task_id"]: ti["state"] for ti in answer["task_instances"]}


@contextlib.contextmanager
def running_airflow(
    env: dict[str, str], foreground_logs: bool = False, workers: int = 0
) -> Iterator[LocalAirflow]:
    """Migrate, start the processes (and ``workers`` Celery workers); always stop them afterwards."""
    airflow = LocalAirflow(env, workers)
    airflow.migrate()
    try:
        airflow.start(foreground_logs)
        yield airflow
    finally:
        airflow.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m culture_dev.airflow_local", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_API_PORT", "8080")))
    parser.add_argument(
        "--executor",
        choices=sorted(EXECUTORS),
        default="local",
        help="local: the scheduler runs the tasks; celery: Celery workers run them (default: local)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="Celery workers under --executor celery (default: 2)"
    )
    args = parser.parse_args(argv)
    if args.executor == "celery" and args.workers < 1:
        parser.error("--executor celery needs --workers 1 or more")
    workers = args.workers if args.executor == "celery" else 0
    # SIGTERM (a service manager, `kill`) stops the process groups as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    from culture_warehouse.warehouse import embedded_dsn, resolve_dsn

    # The warehouse as `culture run` finds it (CULTURE_WAREHOUSE_DSN, else the embedded server);
    # Airflow's metadata (and Celery's messages) in databases of their own on the embedded server.
    warehouse = resolve_dsn()
    server = embedded_dsn()
    broker = broker_database(server) if workers else None
    env = airflow_environment(
        state_dir() / "airflow", metadata_database(server), warehouse, args.port, celery_broker=broker
    )
    env.setdefault("CULTURE_LANDING", str(state_dir() / "landing"))  # where `make run` generates a drop
    with running_airflow(env, foreground_logs=True, workers=workers) as airflow:
        airflow.wait_until_ready()
        print(
            f"\nAirflow is up: {airflow.url}  (user {ADMIN}, password in {airflow.home / 'passwords.json'})"
            f"\nExecutor: {env['AIRFLOW__CORE__EXECUTOR']}"
            + (f" with {workers} Celery worker(s)" if workers else "")
            + "\nThe DAG culture_nightly starts paused; Ctrl-C stops every process.\n",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            while True:
                airflow._check_running()
                time.sleep(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
