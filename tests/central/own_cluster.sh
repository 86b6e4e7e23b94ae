# Sourced by a central test that kills or restarts PostgreSQL: it gets a throwaway
# cluster of its own instead of the fixture's shared one, then lib.sh on it, and both
# are removed when the test exits. Uses the sourcing script's $2 (SOURCE_DIR).
PGBIN=${ECOKIOSK_PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then echo "SKIP: PostgreSQL 15 binaries not found in $PGBIN"; exit 77; fi
OWN=$(mktemp -d)
chmod 755 "$OWN"  # as root the cluster runs as postgres, which must reach its folder
THROW="$2/scripts/pg-throwaway.sh"
bash "$THROW" start "$OWN/cluster" >/dev/null
export ECOKIOSK_TEST_CLUSTER="$OWN/cluster"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'cleanup; bash "$THROW" stop "$OWN/cluster"; rm -rf "$OWN"' EXIT
