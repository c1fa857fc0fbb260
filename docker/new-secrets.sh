#!/usr/bin/env bash
# Create the Docker secrets docker-compose.yml reads, one file each, in the folder given (default:
# ./secrets, git-ignored). A file that exists is never replaced: the pseudonym key and the
# passwords must stay the same for the life of the deployment (back the folder up).
#
# The folder is private to you (0700); the files in it are readable (0444) because the containers
# read them as other users (postgres as uid 999, Airflow as AIRFLOW_UID) and Compose mounts file
# secrets as they are on disk. Values are hex (or, for the Fernet key, URL-safe base64; for
# flower's login, `flower:` and hex), without a trailing newline: safe in URLs, in psql and in
# Redis's configuration. Run it again after an upgrade that adds a secret: it adds only that one.
set -euo pipefail
umask 077
folder="${1:-${CULTURE_SECRETS_DIR:-./secrets}}"
mkdir -p "$folder"
chmod 0700 "$folder"

new() {
    local name="$1" value="$2"
    if [[ -e "$folder/$name" ]]; then
        echo "kept    $folder/$name"
        return
    fi
    printf '%s' "$value" > "$folder/$name"
    chmod 0444 "$folder/$name"
    echo "created $folder/$name"
}

hex() { openssl rand -hex 32; }

new postgres_password "$(hex)"
new airflow_db_password "$(hex)"
new airflow_fernet_key "$(openssl rand -base64 32 | tr '+/' '-_')"
new airflow_jwt_secret "$(hex)"
new airflow_admin_password "$(hex)"
new warehouse_password "$(hex)"
new culture_pseudonym_key "$(hex)"
new celery_broker_password "$(hex)"
new flower_basic_auth "flower:$(hex)"
