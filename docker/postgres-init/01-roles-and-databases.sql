-- Run once by the postgres:16 image (docker-entrypoint-initdb.d) when its data volume is empty,
-- by psql with ON_ERROR_STOP, as the superuser `postgres` on the maintenance database `postgres`.
-- The superuser is for this script and the administrator only: no service connects as it.
--
--   airflow            login; owns the database `airflow` (Airflow's metadata) and nothing else
--   culture_etl        login; no superuser, CREATEDB, CREATEROLE or replication; owns the database
--                      `warehouse`, in which the nightly run creates its schemas and tables
--   culture_bi_reader  nologin; BI logins are granted it (`grant culture_bi_reader to <login>`);
--                      created here, so culture_etl needs no CREATEROLE
--
-- Nobody but a database's owner (and, for `warehouse`, culture_bi_reader) may connect to it:
-- PostgreSQL grants CONNECT and TEMPORARY on every new database to PUBLIC, revoked below. So
-- culture_etl cannot reach Airflow's metadata, nor airflow the warehouse.
--
-- The passwords are the Docker secrets the services read (docker-compose.yml `secrets:`), read
-- here by psql's backquote and trimmed of trailing line breaks as the services trim them.
-- The README ("A real PostgreSQL") gives the same statements for a server of your own.
-- Changing this file has no effect on an existing volume: `docker compose down -v` starts afresh
-- (and deletes both databases).

\set airflow_password `cat /run/secrets/airflow_db_password`
\set warehouse_password `cat /run/secrets/warehouse_password`
SELECT
    rtrim(:'airflow_password', E'\r\n') AS airflow_password,
    rtrim(:'warehouse_password', E'\r\n') AS warehouse_password
\gset
SELECT :'airflow_password' = '' OR :'warehouse_password' = '' AS missing_secret \gset
\if :missing_secret
DO $$ BEGIN RAISE EXCEPTION 'the secret airflow_db_password or warehouse_password is empty'; END $$;
\endif

CREATE ROLE airflow LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
PASSWORD :'airflow_password';
CREATE ROLE culture_etl LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
PASSWORD :'warehouse_password';
CREATE ROLE culture_bi_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

CREATE DATABASE airflow OWNER airflow;
CREATE DATABASE warehouse OWNER culture_etl;

-- An owner keeps its own rights; everybody else loses CONNECT and TEMPORARY.
REVOKE ALL ON DATABASE airflow FROM PUBLIC;
REVOKE ALL ON DATABASE warehouse FROM PUBLIC;
GRANT CONNECT ON DATABASE warehouse TO culture_bi_reader;
-- The culture_report DAG reads the marts as culture_bi_reader (SET ROLE) through the warehouse
-- owner's connection unless CULTURE_REPORT_DSN names a BI login of its own. Membership adds no
-- privilege: the owner can read its marts already.
GRANT culture_bi_reader TO culture_etl;
