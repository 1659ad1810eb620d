#!/usr/bin/env bash
# `stormlab export mermaid` against Mermaid's own parser (run by .ci/run after `cargo test`):
# every example model's page (context map, flow, each scenario's run) and a model whose names
# are full of Mermaid syntax (tests/fixtures/mermaid/hostile.ron) must parse.
# Needs: STORMLAB (default target/debug/stormlab), node with `mermaid` and `jsdom` installed
# in node_modules.
set -uo pipefail
STORMLAB=$(realpath "${STORMLAB:-target/debug/stormlab}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
pages=()
for m in models/*.ron models/teaching/*.ron tests/fixtures/mermaid/*.ron; do
  page="$work/$(basename "$m" .ron).md"
  "$STORMLAB" export mermaid "$m" --diagram all -o "$page" >/dev/null \
    || { echo "export failed: $m"; fail=1; continue; }
  pages+=("$page")
done
# One diagram alone too (front matter and all, outside Markdown).
"$STORMLAB" export mermaid models/autoservice.ron --diagram flow --context Booking \
  -o "$work/booking-flow.mmd" >/dev/null || { echo "export failed: flow of Booking"; fail=1; }
node tests/mermaid-parse.mjs "${pages[@]}" "$work/booking-flow.mmd" || fail=1
exit $fail
