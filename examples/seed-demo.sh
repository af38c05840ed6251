#!/usr/bin/env bash
# The seed scenario on a fresh machine: builds the example plugins and the host, then scores the
# sample contacts with `purchase-count` — one point per Microsoft Office license purchased.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-wasip2 >/dev/null 2>&1 || {
    echo "error: cannot install the wasm32-wasip2 target; run \`rustup target add wasm32-wasip2\`" >&2
    exit 1
}
(cd plugins && cargo build --release --locked --quiet)
cargo run --release --locked --quiet -p leadgate -- plugin run \
    plugins/target/wasm32-wasip2/release/purchase_count.wasm \
    --input examples/plugin-input/seed-contacts.jsonl \
    --config "product=Microsoft Office"
