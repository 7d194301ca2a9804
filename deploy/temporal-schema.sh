#!/bin/sh
# One-shot: Temporal's databases and their schema in PostgreSQL, with the
# SQL tool of the admin-tools image of the same version as the server.
# Safe to run again: a database or schema that exists is kept, and
# update-schema brings it to the server's version.
set -eu
tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" --db "$@"
}
for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}; dir=${db##*:}
  tool "$name" create 2>/dev/null || echo "database $name is er al"
  tool "$name" setup-schema -v 0.0 2>/dev/null || echo "schema van $name is er al"
  tool "$name" update-schema -d "/etc/temporal/schema/postgresql/v12/$dir/versioned"
done
