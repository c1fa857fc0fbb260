# Airflow 3.3 image for the culture warehouse: the official image plus the pipeline's libraries.
# The project code is not baked in: docker-compose.yml mounts dags/, plugins/, dbt_project/,
# expectations/ and config/ under /opt/airflow.
FROM apache/airflow:3.3.2-python3.11

# Install as the airflow user (the base image's default user) and pin apache-airflow to the
# image's own version, so that pip can never up- or downgrade Airflow while resolving the extras
# (https://airflow.apache.org/docs/docker-stack/build.html#adding-packages-from-requirements-txt).
COPY requirements-docker.txt /requirements-docker.txt
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /requirements-docker.txt

# culture_warehouse is imported from the mounted plugins folder (no `pip install -e`), also by
# processes that Airflow does not start itself, such as dbt and the `python -m` entry points.
ENV PYTHONPATH=/opt/airflow/plugins
