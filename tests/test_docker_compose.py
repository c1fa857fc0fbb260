"""Structure tests of the Docker Compose deployment (docker-compose.yml, Dockerfile, .env.example).

No Docker engine runs where this project is developed, so the compose file is never started here.
These tests pin down what the official Airflow 3 docker-compose.yaml does and what this project
adds to it, reading the files with PyYAML and resolving ``${...}`` the way Compose does.
"""

from __future__ import annotations

import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
REQUIREMENTS_DOCKER = ROOT / "requirements-docker.txt"
REQUIREMENTS_LOCK = ROOT / "requirements.lock"
POSTGRES_INIT = ROOT / "docker" / "postgres-init"

AIRFLOW_COMMANDS = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-worker": "celery worker",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}
# The services of the CeleryExecutor and the profiles that start them (the rest start always,
# but airflow-cli, in the profile debug).
PROFILES_OF = {
    "redis": ["celery"],
    "airflow-worker": ["celery"],
    "flower": ["flower"],
    "airflow-cli": ["debug"],
}
LONG_RUNNING = tuple(AIRFLOW_COMMANDS)
AIRFLOW_SERVICES = (*LONG_RUNNING, "airflow-init")
PROJECT_MOUNTS = {
    "./dags": "/opt/airflow/dags",
    "./plugins": "/opt/airflow/plugins",
    "./dbt_project": "/opt/airflow/dbt_project",
    "./expectations": "/opt/airflow/expectations",
    "./config": "/opt/airflow/config",
}
LANDING_TARGET = "/opt/airflow/landing"
INIT_SQL = POSTGRES_INIT / "01-roles-and-databases.sql"
NEW_SECRETS = ROOT / "docker" / "new-secrets.sh"
SECRETS_DIR = "/run/secrets/"
AIRFLOW_SECRETS = {"airflow_db_password", "airflow_fernet_key", "airflow_jwt_secret"}
TASK_SECRETS = {"warehouse_password", "culture_pseudonym_key"}
BROKER_SECRETS = {"celery_broker_password"}
SECRETS_OF = {
    # The init script sets the passwords of the roles `airflow` and `culture_etl`.
    "postgres": {"postgres_password", "airflow_db_password", "warehouse_password"},
    "redis": BROKER_SECRETS,
    "airflow-apiserver": AIRFLOW_SECRETS,
    "airflow-dag-processor": AIRFLOW_SECRETS,
    "airflow-triggerer": AIRFLOW_SECRETS,
    "airflow-init": AIRFLOW_SECRETS | {"airflow_admin_password"},
    # The services that run tasks: the scheduler (LocalExecutor), the Celery workers and
    # airflow-cli (`dags test`); the scheduler and the workers talk to the broker.
    "airflow-scheduler": AIRFLOW_SECRETS | TASK_SECRETS | BROKER_SECRETS,
    "airflow-worker": AIRFLOW_SECRETS | TASK_SECRETS | BROKER_SECRETS,
    "airflow-cli": AIRFLOW_SECRETS | TASK_SECRETS,
    "flower": AIRFLOW_SECRETS | BROKER_SECRETS | {"flower_basic_auth"},
}
ALL_SECRETS = set().union(*SECRETS_OF.values())
SECRET_VARIABLES = (
    # What a secret would be set as, were it an environment value: none of them may be.
    "POSTGRES_PASSWORD",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
    "AIRFLOW__CORE__FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "_AIRFLOW_WWW_USER_PASSWORD",
    "CULTURE_PSEUDONYM_KEY",
    "CULTURE_WAREHOUSE_PASSWORD",
)
DEV_ONLY = ("pgserver", "pytest", "pytest-timeout", "hypothesis", "ruff", "mypy", "sqlfluff")


# --- Compose variable interpolation (https://docs.docker.com/reference/compose-file/interpolation/)


class MissingVariableError(ValueError):
    """A ``${VAR:?message}`` or ``${VAR?message}`` whose variable is unset (or empty)."""


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """Resolve ``$VAR`` and ``${VAR...}`` (with nesting) as Compose does; ``$$`` is a literal $."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            out.append(char)
            i += 1
        elif text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            end = _closing_brace(text, i + 2)
            out.append(_braced(text[i + 2 : end], env))
            i = end + 1
        elif name := _NAME.match(text, i + 1):
            out.append(env.get(name.group(), ""))
            i = name.end()
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise AssertionError(f"unclosed ${{ in {text!r}")


def _braced(expression: str, env: Mapping[str, str]) -> str:
    name = _NAME.match(expression)
    assert name, f"not a variable: ${{{expression}}}"
    key, rest = name.group(), expression[name.end() :]
    value = env.get(key)
    if not rest:
        return value or ""
    for operator in (":-", ":?", ":+", "-", "?", "+"):
        if rest.startswith(operator):
            operand = rest[len(operator) :]
            break
    else:
        raise AssertionError(f"unsupported interpolation ${{{expression}}}")
    present = value is not None and (value != "" or not operator.startswith(":"))
    if operator.endswith("-"):
        return value if present and value is not None else interpolate(operand, env)
    if operator.endswith("?"):
        if not present or value is None:
            raise MissingVariableError(f"{key}: {interpolate(operand, env)}")
        return value
    return interpolate(operand, env) if present else ""


def resolve(node: Any, env: Mapping[str, str]) -> Any:
    """Interpolate every string value of a loaded compose document (keys are left alone)."""
    if isinstance(node, dict):
        return {key: resolve(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(value, env) for value in node]
    if isinstance(node, str):
        return interpolate(node, env)
    return node


def strings(node: Any) -> list[str]:
    """Every string value of a loaded YAML document (comments are not part of it)."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def referenced_variables(text: str) -> set[str]:
    """Names of every variable the text interpolates (``$$`` escapes excluded)."""
    unescaped = text.replace("$$", "")
    return set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", unescaped))


# --- fixtures and helpers


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    document = yaml.safe_load(compose_text)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def resolved(compose: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """The compose document as Compose sees it with the given variables set (.env is optional)."""

    def _resolve(**extra: str) -> dict[str, Any]:
        return resolve(compose, extra)

    return _resolve


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment is written as a mapping (needed for the anchor)"
    return env


def volume_parts(volume: str) -> tuple[str, str, str]:
    """source, target, mode of a short-syntax volume; a ``:`` inside ``${...}`` does not split."""
    parts, depth, current = [], 0, ""
    for char in volume:
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "{"
        depth -= char == "}"
        current += char
    parts.append(current)
    source, target, *mode = parts
    return source, target, ":".join(mode)


def mounts(service: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Target path -> (source, mode) of the service's short-syntax volumes."""
    result = {}
    for volume in service.get("volumes", []):
        source, target, mode = volume_parts(volume)
        result[target] = (source, mode)
    return result


def secrets_read(text: str) -> set[str]:
    """Names of the Docker secrets a command, a path or a script reads (``/run/secrets/<name>``)."""
    return set(re.findall(re.escape(SECRETS_DIR) + r"(\w+)", text))


def secret_readers(service: Mapping[str, Any]) -> dict[str, str]:
    """The service's ``*_FILE`` and ``*_CMD`` variables: how a process reads a secret file."""
    return {key: value for key, value in environment(service).items() if key.endswith(("_FILE", "_CMD"))}


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS_LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def docker_requirements() -> dict[str, str]:
    pins = {}
    for raw in REQUIREMENTS_DOCKER.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==(\S+)", line)
        assert match, f"requirements-docker.txt: {raw!r} is not an exact pin"
        pins[_normalise(match.group(1))] = match.group(3)
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- services and images


def test_compose_defines_postgres_and_every_airflow_3_component(services: dict[str, Any]) -> None:
    assert {"postgres", *AIRFLOW_SERVICES} <= set(services)


def test_postgres_runs_major_version_16(services: dict[str, Any]) -> None:
    image = services["postgres"]["image"]
    assert re.fullmatch(r"postgres:16(\.\d+)*(-[\w.]+)?", image), image


def test_postgres_keeps_its_data_in_a_named_volume(compose: dict[str, Any]) -> None:
    source, _ = mounts(compose["services"]["postgres"])["/var/lib/postgresql/data"]
    assert source in compose["volumes"]


def test_postgres_is_healthy_only_when_pg_isready_answers(services: dict[str, Any]) -> None:
    test = services["postgres"]["healthcheck"]["test"]
    assert test[0] in ("CMD", "CMD-SHELL")
    assert "pg_isready" in " ".join(test)


def test_postgres_init_script_creates_airflow_and_warehouse_databases(
    services: dict[str, Any],
) -> None:
    source, mode = mounts(services["postgres"])["/docker-entrypoint-initdb.d"]
    assert (ROOT / source).resolve() == POSTGRES_INIT
    assert mode == "ro"
    scripts = sorted(POSTGRES_INIT.glob("*.sql")) + sorted(POSTGRES_INIT.glob("*.sh"))
    assert scripts, "docker/postgres-init holds the init script"
    sql = "\n".join(script.read_text(encoding="utf-8") for script in scripts)
    created = set(re.findall(r"create\s+database\s+\"?(\w+)", sql, flags=re.IGNORECASE))
    assert {"airflow", "warehouse"} <= created
    # Neither database is the one the image creates itself (POSTGRES_DB), or init would fail.
    assert environment(services["postgres"])["POSTGRES_DB"] not in created


def test_airflow_services_use_the_image_built_from_the_dockerfile(
    services: dict[str, Any],
) -> None:
    images = {services[name]["image"] for name in AIRFLOW_SERVICES}
    assert len(images) == 1
    image = interpolate(images.pop(), {})
    assert image == "culture-warehouse-airflow:3.3.2"
    for name in AIRFLOW_SERVICES:
        build = services[name]["build"]
        assert (ROOT / build["context"] / build.get("dockerfile", "Dockerfile")) == DOCKERFILE


def test_dockerfile_extends_the_official_airflow_3_3_image_for_python_3_11() -> None:
    stages = re.findall(r"^FROM\s+(\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(stages) == 1
    assert re.fullmatch(r"apache/airflow:3\.3\.\d+-python3\.11", stages[0]), stages[0]


def test_dockerfile_installs_the_pinned_extras_without_moving_airflow() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "COPY requirements-docker.txt" in text
    install = re.search(r"^RUN pip install (.+)$", text, re.MULTILINE)
    assert install
    assert "--no-cache-dir" in install.group(1)
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in install.group(1)
    assert "-r /requirements-docker.txt" in install.group(1)
    assert re.search(r"^ENV PYTHONPATH=/opt/airflow/plugins$", text, re.MULTILINE)


# --- commands, healthchecks and start order


@pytest.mark.parametrize(("service", "command"), AIRFLOW_COMMANDS.items())
def test_each_airflow_component_runs_its_own_command(
    services: dict[str, Any], service: str, command: str
) -> None:
    assert services[service]["command"] == command


def test_api_server_is_published_on_the_loopback_interface_only(services: dict[str, Any]) -> None:
    published = services["airflow-apiserver"]["ports"]
    assert [interpolate(port, {}) for port in published] == ["127.0.0.1:8080:8080"]
    assert [interpolate(port, {"AIRFLOW_API_PORT": "9090"}) for port in published] == ["127.0.0.1:9090:8080"]


def test_only_the_api_server_and_flower_publish_a_port_and_only_on_the_loopback_interface(
    services: dict[str, Any],
) -> None:
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert set(published) == {"airflow-apiserver", "flower"}
    for ports in published.values():
        assert all(interpolate(port, {}).startswith("127.0.0.1:") for port in ports), ports


def test_airflow_init_migrates_the_database_and_creates_the_admin(
    services: dict[str, Any],
) -> None:
    init = services["airflow-init"]
    env = environment(init)
    assert init["entrypoint"] == "/bin/bash"
    assert "/entrypoint airflow version" in init["command"][-1]
    assert env["_AIRFLOW_DB_MIGRATE"] == "true"
    assert env["_AIRFLOW_WWW_USER_CREATE"] == "true"
    assert env["_AIRFLOW_WWW_USER_PASSWORD_CMD"] == "cat /run/secrets/airflow_admin_password"


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_long_running_components_have_healthchecks(services: dict[str, Any], service: str) -> None:
    healthcheck = services[service]["healthcheck"]
    assert healthcheck["test"][0] in ("CMD", "CMD-SHELL")
    assert healthcheck["retries"] >= 1


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_components_start_after_postgres_is_healthy_and_init_succeeded(
    services: dict[str, Any], service: str
) -> None:
    depends_on = services[service]["depends_on"]
    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["airflow-init"]["condition"] == "service_completed_successfully"


def test_init_waits_for_a_healthy_postgres(services: dict[str, Any]) -> None:
    assert services["airflow-init"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_scheduler_runs_tasks_only_once_the_api_server_is_healthy(
    services: dict[str, Any],
) -> None:
    depends_on = services["airflow-scheduler"]["depends_on"]
    assert depends_on["airflow-apiserver"]["condition"] == "service_healthy"


# --- mounts


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_every_airflow_service_mounts_the_project_folders(services: dict[str, Any], service: str) -> None:
    mounted = mounts(services[service])
    for source, target in PROJECT_MOUNTS.items():
        assert mounted.get(target, ("", ""))[0] == source, f"{service}: {target}"


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_every_airflow_service_mounts_the_landing_zone_read_only(
    services: dict[str, Any], service: str
) -> None:
    source, mode = mounts(services[service])[LANDING_TARGET]
    assert "ro" in mode.split(",")
    assert referenced_variables(source) == {"CULTURE_LANDING_HOST_DIR"}
    assert environment(services[service])["CULTURE_LANDING"] == LANDING_TARGET


@pytest.mark.parametrize("service", AIRFLOW_SERVICES)
def test_no_airflow_service_mounts_the_development_tools(services: dict[str, Any], service: str) -> None:
    # devtools/ (the landing generator, the benchmark) sits beside plugins/, not inside it.
    sources = {interpolate(source, {}) for source, _ in mounts(services[service]).values()}
    assert not any(source.removeprefix("./").startswith("devtools") for source in sources), sources
    assert not (ROOT / "plugins" / "culture_dev").exists()
    assert not (ROOT / "plugins" / "culture_warehouse" / "generate").exists()


def test_landing_zone_defaults_to_a_git_ignored_folder(services: dict[str, Any]) -> None:
    source, _ = mounts(services["airflow-scheduler"])[LANDING_TARGET]
    default = interpolate(source, {})
    ignored = ROOT.joinpath(".gitignore").read_text(encoding="utf-8").split()
    assert any(default.removeprefix("./").startswith(entry) for entry in ignored), default


def test_logs_are_shared_by_all_components_through_a_named_volume(
    compose: dict[str, Any],
) -> None:
    sources = {mounts(compose["services"][name])["/opt/airflow/logs"][0] for name in LONG_RUNNING}
    assert len(sources) == 1
    assert sources.pop() in compose["volumes"]


def test_bind_mounts_are_relative_to_the_repository(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for source, _ in mounts(service).values():
            default = interpolate(source, {})
            assert not default.startswith("/"), f"{name}: {source} is a host-specific path"


# --- environment


def test_project_dir_is_where_dbt_project_and_expectations_are_mounted(
    services: dict[str, Any],
) -> None:
    for name in AIRFLOW_SERVICES:
        project_dir = environment(services[name])["CULTURE_PROJECT_DIR"]
        targets = mounts(services[name])
        assert f"{project_dir}/dbt_project" in targets
        assert f"{project_dir}/expectations" in targets


def test_jwt_secret_is_one_secret_file_read_by_every_airflow_service(
    services: dict[str, Any],
) -> None:
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        assert env["AIRFLOW__API_AUTH__JWT_SECRET_CMD"] == "cat /run/secrets/airflow_jwt_secret"
        assert env["AIRFLOW__CORE__FERNET_KEY_CMD"] == "cat /run/secrets/airflow_fernet_key"


def test_components_reach_the_execution_api_on_the_api_server(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        url = urlparse(environment(services[name])["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (url.hostname, url.port, url.path) == ("airflow-apiserver", 8080, "/execution/")


def test_examples_are_not_loaded_and_an_auth_manager_is_configured(
    services: dict[str, Any],
) -> None:
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith(("FabAuthManager", "SimpleAuthManager"))
        assert "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION" in env


def run_secret_command(command: str, secrets: Path) -> str:
    """A ``_CMD`` variable run as Airflow runs it (shlex-split, no shell), /run/secrets moved."""
    argv = shlex.split(command.replace(SECRETS_DIR, f"{secrets}/"))
    if argv[0] == "python":
        argv[0] = sys.executable
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout


def test_airflow_metadata_is_the_airflow_database_as_the_airflow_role(
    services: dict[str, Any], tmp_path: Path
) -> None:
    password = "pw with @:/%"  # characters a URL would misread: percent-encoded
    (tmp_path / "airflow_db_password").write_text(password + "\n", encoding="utf-8")
    for name in AIRFLOW_SERVICES:
        command = environment(services[name])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"]
        url = run_secret_command(command, tmp_path)
        assert url == "postgresql+psycopg2://airflow:pw%20with%20%40%3A%2F%25@postgres:5432/airflow"


def test_the_warehouse_is_the_warehouse_database_as_culture_etl_without_a_password_in_the_environment(
    resolved: Callable[..., dict[str, Any]],
) -> None:
    for name in AIRFLOW_SERVICES:
        warehouse = urlparse(environment(resolved()["services"][name])["CULTURE_WAREHOUSE_DSN"])
        assert (warehouse.scheme, warehouse.hostname) == ("postgresql", "postgres")
        assert warehouse.path == "/warehouse"
        assert warehouse.username == "culture_etl"
        assert warehouse.password is None


def test_airflow_options_read_from_files_are_ones_airflow_allows_a_command_for() -> None:
    from airflow.configuration import conf

    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    for service in compose["services"].values():
        for key in secret_readers(service):
            if key.startswith("AIRFLOW__") and key.endswith("_CMD"):
                section, option = key.removeprefix("AIRFLOW__").removesuffix("_CMD").lower().split("__")
                assert (section, option) in conf.sensitive_config_values, key


def test_external_warehouse_dsn_replaces_the_bundled_database(
    resolved: Callable[..., dict[str, Any]],
) -> None:
    external = "postgresql://culture_etl@db.example.org:5432/culture?sslmode=verify-full"
    document = resolved(CULTURE_WAREHOUSE_DSN=external)
    for name in AIRFLOW_SERVICES:
        env = environment(document["services"][name])
        assert env["CULTURE_WAREHOUSE_DSN"] == external
        assert "postgres:5432/airflow" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"]


def test_the_containers_run_as_a_deployment_that_never_generates_a_pseudonym_key(
    resolved: Callable[..., dict[str, Any]],
) -> None:
    services = resolved()["services"]
    for name in AIRFLOW_SERVICES:
        assert environment(services[name])["CULTURE_ENV"] == "production"


# --- secrets


def test_each_service_gets_only_the_secrets_it_needs(compose: dict[str, Any]) -> None:
    assert set(compose["secrets"]) == ALL_SECRETS
    given = {name: set(service.get("secrets", [])) for name, service in compose["services"].items()}
    assert given == SECRETS_OF


def test_the_api_server_and_dag_processor_get_neither_the_pseudonym_key_nor_the_warehouse_password(
    compose: dict[str, Any],
) -> None:
    for name in ("airflow-apiserver", "airflow-dag-processor", "airflow-triggerer", "airflow-init", "flower"):
        service = compose["services"][name]
        assert not TASK_SECRETS & set(service.get("secrets", [])), name
        readers = {"CULTURE_PSEUDONYM_KEY_FILE", "CULTURE_WAREHOUSE_PASSWORD_FILE"}
        assert not readers & set(environment(service)), name


def test_the_postgres_admin_password_reaches_no_airflow_service(compose: dict[str, Any]) -> None:
    services = compose["services"].items()
    assert [name for name, service in services if "postgres_password" in service.get("secrets", [])] == [
        "postgres"
    ]


@pytest.mark.parametrize("service", SECRETS_OF)
def test_every_secret_a_service_reads_is_mounted_in_it_and_every_mounted_one_is_read(
    compose: dict[str, Any], service: str
) -> None:
    definition = compose["services"][service]
    # Through a _FILE or _CMD variable, or in the service's own command or healthcheck (Redis).
    read = set().union(*(secrets_read(text) for text in strings(definition)))
    if service == "postgres":
        read |= secrets_read(INIT_SQL.read_text(encoding="utf-8"))
    assert read == set(definition.get("secrets", []))


def test_the_pipeline_reads_its_secrets_from_files_where_tasks_run(compose: dict[str, Any]) -> None:
    for name in ("airflow-scheduler", "airflow-worker", "airflow-cli"):
        env = environment(compose["services"][name])
        assert env["CULTURE_PSEUDONYM_KEY_FILE"] == "/run/secrets/culture_pseudonym_key"
        assert env["CULTURE_WAREHOUSE_PASSWORD_FILE"] == "/run/secrets/warehouse_password"
        assert env["CULTURE_ENV"] == "${CULTURE_ENV:-production}"


def test_postgres_reads_its_admin_password_from_a_secret_file(services: dict[str, Any]) -> None:
    env = environment(services["postgres"])
    assert env["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


def test_no_secret_is_an_environment_value_or_a_variable_with_a_default(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert not set(SECRET_VARIABLES) & set(environment(service)), name
    read = set().union(*(referenced_variables(text) for text in strings(compose)))
    secret_like = {variable for variable in read if re.search("PASSWORD|SECRET|KEY|TOKEN", variable)}
    assert secret_like == {"CULTURE_SECRETS_DIR"}  # a folder, not a secret


def test_secret_files_live_in_a_git_ignored_folder_outside_the_image(compose: dict[str, Any]) -> None:
    for name, secret in compose["secrets"].items():
        assert secret["file"] == f"${{CULTURE_SECRETS_DIR:-./secrets}}/{name}"
    default = interpolate(compose["secrets"]["postgres_password"]["file"], {})
    ignored = ROOT.joinpath(".gitignore").read_text(encoding="utf-8").split()
    assert "secrets/" in ignored and default.startswith("./secrets/")
    assert "secrets" not in ROOT.joinpath("Dockerfile").read_text(encoding="utf-8")


def test_new_secrets_creates_every_secret_once_readable_by_the_containers(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "secrets"
    subprocess.run(["bash", str(NEW_SECRETS), str(folder)], check=True, capture_output=True, timeout=60)
    assert {path.name for path in folder.iterdir()} == set(compose["secrets"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    first = {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()}
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, path.name
        assert len(first[path.name]) >= 32 and "\n" not in first[path.name]
    subprocess.run(["bash", str(NEW_SECRETS), str(folder)], check=True, capture_output=True, timeout=60)
    assert {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()} == first


# --- the PostgreSQL roles (docker/postgres-init; tests/test_least_privilege.py runs the script)


def test_the_warehouse_owner_is_culture_etl_and_no_superuser() -> None:
    sql = INIT_SQL.read_text(encoding="utf-8")
    role = re.search(r"CREATE ROLE culture_etl ([^;]+);", sql)
    assert role and "NOSUPERUSER" in role.group(1) and "NOCREATEROLE" in role.group(1)
    assert re.search(r"CREATE DATABASE warehouse OWNER culture_etl;", sql)


def test_airflow_metadata_has_its_own_database_and_role() -> None:
    sql = INIT_SQL.read_text(encoding="utf-8")
    role = re.search(r"CREATE ROLE airflow ([^;]+);", sql)
    assert role and "NOSUPERUSER" in role.group(1)
    assert re.search(r"CREATE DATABASE airflow OWNER airflow;", sql)


def test_init_sql_revokes_connect_on_both_databases_from_public() -> None:
    sql = INIT_SQL.read_text(encoding="utf-8")
    for database in ("airflow", "warehouse"):
        assert re.search(rf"REVOKE (ALL|CONNECT[^;]*) ON DATABASE {database} FROM PUBLIC;", sql), database
    grants = re.findall(r"GRANT CONNECT ON DATABASE (\w+) TO (\w+);", sql)
    assert grants == [("warehouse", "culture_bi_reader")]


def test_the_bi_role_is_created_by_the_init_script_not_at_runtime() -> None:
    assert re.search(r"CREATE ROLE culture_bi_reader NOLOGIN", INIT_SQL.read_text(encoding="utf-8"))


def test_everything_but_the_secrets_has_a_safe_default(
    resolved: Callable[..., dict[str, Any]],
) -> None:
    services = resolved()["services"]
    env = environment(services["airflow-scheduler"])
    assert env["CULTURE_MIN_GROUP_SIZE"] == "5"
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "true"
    assert services["airflow-scheduler"]["user"] == "50000:0"
    assert environment(services["postgres"])["POSTGRES_USER"] == "postgres"  # the init script's only


def test_healthchecks_keep_container_variables_for_the_container(
    resolved: Callable[..., dict[str, Any]],
) -> None:
    test = resolved()["services"]["airflow-triggerer"]["healthcheck"]["test"]
    assert '--hostname "${HOSTNAME}"' in test[-1]


# --- the profiles celery and flower: CeleryExecutor, Redis, Celery workers (docs/docker.md)


def started(services: Mapping[str, Any], profiles: set[str]) -> set[str]:
    """The services ``docker compose --profile …`` starts with these profiles active."""
    return {
        name
        for name, service in services.items()
        if not service.get("profiles") or set(service["profiles"]) & profiles
    }


def test_the_celery_services_start_only_with_their_profiles(services: dict[str, Any]) -> None:
    assert {name: service["profiles"] for name, service in services.items() if "profiles" in service} == (
        PROFILES_OF
    )
    assert {"redis", "airflow-worker"} <= started(services, {"celery"})
    assert not {"redis", "airflow-worker", "flower"} & started(services, set())


def test_the_executor_is_local_unless_airflow_executor_switches_every_component_to_celery(
    resolved: Callable[..., dict[str, Any]],
) -> None:
    airflow = [*AIRFLOW_SERVICES, "airflow-cli", "flower"]
    local = resolved()["services"]
    assert {environment(local[name])["AIRFLOW__CORE__EXECUTOR"] for name in airflow} == {"LocalExecutor"}
    celery = resolved(AIRFLOW_EXECUTOR="CeleryExecutor")["services"]
    assert {environment(celery[name])["AIRFLOW__CORE__EXECUTOR"] for name in airflow} == {"CeleryExecutor"}


@pytest.mark.parametrize("profiles", [set(), {"celery"}, {"celery", "flower"}], ids=str)
def test_every_service_started_has_the_services_it_requires(
    services: dict[str, Any], profiles: set[str]
) -> None:
    running = started(services, profiles)
    for name in running:
        for dependency, condition in services[name].get("depends_on", {}).items():
            assert dependency in running or condition.get("required") is False, (name, dependency)


def test_the_scheduler_waits_for_a_healthy_broker_when_the_profile_starts_one(
    services: dict[str, Any],
) -> None:
    assert services["airflow-scheduler"]["depends_on"]["redis"] == {
        "condition": "service_healthy",
        "required": False,
    }


def test_the_worker_runs_tasks_once_the_broker_and_the_api_server_are_healthy(
    services: dict[str, Any],
) -> None:
    worker = services["airflow-worker"]
    depends_on = worker["depends_on"]
    assert depends_on["redis"] == {"condition": "service_healthy"}
    assert depends_on["airflow-apiserver"]["condition"] == "service_healthy"
    ping = worker["healthcheck"]["test"][-1]
    assert "celery_executor.app inspect ping" in ping and '"celery@$${HOSTNAME}"' in ping
    # The image's entrypoint hands SIGTERM to Celery only, which then finishes its tasks (warm shutdown).
    assert environment(worker)["DUMB_INIT_SETSID"] == "0"


def test_workers_can_be_scaled_and_run_a_few_cpu_bound_tasks_each(
    services: dict[str, Any], resolved: Callable[..., dict[str, Any]]
) -> None:
    worker = services["airflow-worker"]
    assert not {"container_name", "hostname", "ports"} & set(worker)  # --scale airflow-worker=N
    concurrency = "AIRFLOW__CELERY__WORKER_CONCURRENCY"
    assert environment(resolved()["services"]["airflow-worker"])[concurrency] == "2"
    scaled = resolved(AIRFLOW_CELERY_WORKER_CONCURRENCY="4")["services"]["airflow-worker"]
    assert environment(scaled)[concurrency] == "4"


def test_the_broker_holds_only_its_own_password_and_publishes_no_port(services: dict[str, Any]) -> None:
    redis = services["redis"]
    assert redis["image"] == "redis:7.2-bookworm"  # the official file's: the last BSD-licensed line
    assert set(redis["secrets"]) == BROKER_SECRETS
    assert "ports" not in redis and "environment" not in redis


def run_with_stub(script: str, secrets: Path, stub: str, stub_name: str) -> subprocess.CompletedProcess[str]:
    """A service's shell script with /run/secrets moved and ``stub_name`` replaced by ``stub``."""
    bin_dir = secrets / "bin"
    bin_dir.mkdir()
    (bin_dir / stub_name).write_text("#!/bin/sh\n" + stub, encoding="utf-8")
    (bin_dir / stub_name).chmod(0o755)
    return subprocess.run(
        ["sh", "-c", interpolate(script, {}).replace(SECRETS_DIR, f"{secrets}/")],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "OUT": str(secrets)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_redis_reads_its_password_from_the_secret_on_standard_input_not_its_command_line(
    services: dict[str, Any], tmp_path: Path
) -> None:
    password = "0123456789abcdef" * 4
    (tmp_path / "celery_broker_password").write_text(password, encoding="utf-8")
    shell, flag, script = services["redis"]["command"]
    assert (shell, flag) == ("sh", "-c")
    done = run_with_stub(
        script, tmp_path, 'printf "%s\\n" "$@" > "$OUT/argv"; cat > "$OUT/config"\n', "redis-server"
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "argv").read_text() == "-\n"  # the configuration comes from standard input
    assert (tmp_path / "config").read_text() == f"requirepass {password}\n"


def test_the_broker_is_healthy_only_when_it_answers_with_the_password(
    services: dict[str, Any], tmp_path: Path
) -> None:
    password = "fedcba9876543210" * 4
    (tmp_path / "celery_broker_password").write_text(password, encoding="utf-8")
    kind, script = services["redis"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    answer = f'printf "%s\\n" "$@" > "$OUT/argv"; [ "$REDISCLI_AUTH" = "{password}" ] && echo PONG\n'
    done = run_with_stub(script, tmp_path, answer, "redis-cli")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "argv").read_text() == "ping\n"  # no -a <password> on the command line
    (tmp_path / "celery_broker_password").write_text("another", encoding="utf-8")
    assert (
        subprocess.run(
            ["sh", "-c", interpolate(script, {}).replace(SECRETS_DIR, f"{tmp_path}/")],
            env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "OUT": str(tmp_path)},
            capture_output=True,
            timeout=60,
        ).returncode
        != 0
    )


def test_the_broker_url_carries_the_broker_password_percent_encoded(
    services: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "celery_broker_password").write_text("pw with @:/%\n", encoding="utf-8")
    for name in ("airflow-scheduler", "airflow-worker", "flower"):
        url = run_secret_command(environment(services[name])["AIRFLOW__CELERY__BROKER_URL_CMD"], tmp_path)
        assert url == "redis://:pw%20with%20%40%3A%2F%25@redis:6379/0", name
    talking = {
        name
        for name, service in services.items()
        if "AIRFLOW__CELERY__BROKER_URL_CMD" in environment(service)
    }
    assert talking == {"airflow-scheduler", "airflow-worker", "flower"}


def test_celery_keeps_task_results_in_the_airflow_metadata_database(
    services: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.configuration import conf
    from airflow.providers.celery.executors.default_celery import get_default_celery_config

    for service in services.values():
        assert not [key for key in environment(service) if key.startswith("AIRFLOW__CELERY__RESULT_BACKEND")]
    (tmp_path / "airflow_db_password").write_text("secret", encoding="utf-8")
    metadata = run_secret_command(
        environment(services["airflow-worker"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD"], tmp_path
    )
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", metadata)
    monkeypatch.setenv("AIRFLOW__CELERY__BROKER_URL", "redis://:x@redis:6379/0")
    monkeypatch.setenv("AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT", "86400")
    assert get_default_celery_config(conf)["result_backend"] == f"db+{metadata}"


def test_redis_hands_a_task_to_another_worker_only_after_the_longest_task_timeout(
    services: dict[str, Any],
) -> None:
    from culture_warehouse.config import TASK_TIMEOUT_MINUTES

    for name in ("airflow-scheduler", "airflow-worker"):
        env = environment(services[name])
        timeout = int(env["AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT"])
        assert timeout > 60 * max(TASK_TIMEOUT_MINUTES.values())


def test_flower_is_behind_a_login_from_a_secret_and_mounts_nothing(
    services: dict[str, Any], tmp_path: Path
) -> None:
    flower = services["flower"]
    assert flower["command"] == "celery flower"
    assert [interpolate(port, {}) for port in flower["ports"]] == ["127.0.0.1:5555:5555"]
    assert (
        environment(flower)["AIRFLOW__CELERY__FLOWER_BASIC_AUTH_CMD"] == "cat /run/secrets/flower_basic_auth"
    )
    assert flower["volumes"] == []  # not the landing zone, the code or the task logs
    assert flower["healthcheck"]["test"][-1] == "http://localhost:5555/healthcheck"  # needs no login
    subprocess.run(
        ["bash", str(NEW_SECRETS), str(tmp_path / "s")], check=True, capture_output=True, timeout=60
    )
    assert re.fullmatch(r"flower:[0-9a-f]{64}", (tmp_path / "s" / "flower_basic_auth").read_text())


# --- requirements and .env.example


def test_requirements_docker_pins_exactly_the_locked_versions() -> None:
    locked = lock_pins()
    wanted = docker_requirements()
    assert {name: locked.get(name) for name in wanted} == wanted


def test_requirements_docker_cover_the_pipeline_libraries() -> None:
    wanted = set(docker_requirements())
    assert {
        "dbt-core",
        "dbt-postgres",
        "dbt-adapters",
        "dbt-common",
        "great-expectations",
        "pandas",
        "pyarrow",
        "psycopg",
        "openpyxl",
        "python-docx",
        "pypdf",
        "fpdf2",
        "pyyaml",
        "universal-pathlib",
        "apache-airflow-providers-smtp",  # the alerts' notifiers
        "apache-airflow-providers-slack",
        "apache-airflow-providers-celery",  # the profile celery: executor, workers, flower
        "celery",
        "redis",
    } <= wanted
    assert "psycopg[binary]" in REQUIREMENTS_DOCKER.read_text(encoding="utf-8")


def test_requirements_docker_leave_out_development_tools_and_airflow_itself() -> None:
    wanted = set(docker_requirements())
    assert not wanted & {*DEV_ONLY, "apache-airflow", "apache-airflow-core"}


def test_env_example_documents_every_variable_the_compose_file_reads(
    compose: dict[str, Any],
) -> None:
    documented = set(re.findall(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    read = set().union(*(referenced_variables(text) for text in strings(compose)))
    assert read - documented == set()


def test_env_example_holds_no_secrets() -> None:
    names = set(re.findall(r"^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert {name for name in names if re.search("PASSWORD|SECRET|KEY|TOKEN", name)} == {"CULTURE_SECRETS_DIR"}
    assert not set(SECRET_VARIABLES) & names
