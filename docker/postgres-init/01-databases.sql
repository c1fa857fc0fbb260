-- Run once by the postgres:16 image (docker-entrypoint-initdb.d) when its data volume is empty,
-- as POSTGRES_USER connected to the maintenance database `postgres`.
--   airflow   - Airflow's metadata database (AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)
--   warehouse - the culture warehouse (CULTURE_WAREHOUSE_DSN); the nightly run creates its schemas,
--               tables and the culture_bi_reader role itself.
-- Changing this file has no effect on an existing volume: `docker compose down -v` starts afresh
-- (and deletes both databases).
CREATE DATABASE airflow;
CREATE DATABASE warehouse;
