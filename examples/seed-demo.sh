#!/usr/bin/env bash
# The seed scenario on a fresh machine, on the example configuration and data: builds the example
# plugins and the host, imports examples/data/*.csv into a fresh data directory, scores every
# contact and shows who reached 3,000 points in "Office buyers" (one point per Microsoft Office
# license purchased) and why.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2 >/dev/null 2>&1 || {
    echo "error: cannot install the wasm32-wasip2 target; run \`rustup target add wasm32-wasip2\`" >&2
    exit 1
}
(cd plugins && cargo build --release --locked --quiet)
cargo build --release --locked --quiet -p leadgate

data_dir=$(mktemp -d)
trap 'rm -rf "$data_dir"' EXIT
leadgate() {
    target/release/leadgate --config-file examples/leadgate.toml --data-dir "$data_dir" "$@"
}

leadgate import contacts examples/data/contacts.csv
leadgate import activities examples/data/activities.csv
leadgate score run
echo
echo "Contacts with at least 3,000 points in \"Office buyers\":"
leadgate score contacts "Office buyers" --min 3000
echo
leadgate score show "Office buyers" --contact c-1001
