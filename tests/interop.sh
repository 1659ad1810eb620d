#!/usr/bin/env bash
# The interop exports against the real tools (run by .ci/run after `cargo test`):
# 1. `stormlab export mermaid`: every example model's page (context map, flow, each
#    scenario's run) and a model whose names are full of Mermaid syntax
#    (tests/fixtures/mermaid/hostile.ron) parse with Mermaid's own parser;
# 2. `stormlab export asyncapi`: every example model's documents, per context and for the
#    system, pass the AsyncAPI parser with no error and no warning;
# 3. the round trip CML -> Stormlab -> AsyncAPI: each of Context Mapper's example models
#    (tests/fixtures/cml) imported with `stormlab import cml`, then exported and validated
#    the same way;
# 4. `stormlab export eventcatalog`: the catalog of every example model and of each imported
#    CML model passes EventCatalog's own linter (every page's front matter against its schema,
#    every reference resolved) with no error.
# Needs: STORMLAB (default target/debug/stormlab), node with `mermaid`, `jsdom`,
# `@asyncapi/parser` and `@eventcatalog/linter` installed in node_modules.
set -uo pipefail
STORMLAB=$(realpath "${STORMLAB:-target/debug/stormlab}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

pages=()
for m in models/*.ron models/teaching/*.ron tests/fixtures/mermaid/*.ron; do
  page="$work/mermaid/$(basename "$m" .ron).md"
  mkdir -p "$work/mermaid"
  "$STORMLAB" export mermaid "$m" --diagram all -o "$page" >/dev/null \
    || { echo "mermaid export failed: $m"; fail=1; continue; }
  pages+=("$page")
done
# One diagram alone too (front matter and all, outside Markdown).
"$STORMLAB" export mermaid models/autoservice.ron --diagram flow --context Booking \
  -o "$work/mermaid/booking-flow.mmd" >/dev/null || { echo "export failed: flow of Booking"; fail=1; }
node tests/mermaid-parse.mjs "${pages[@]}" "$work/mermaid/booking-flow.mmd" || fail=1

for m in models/*.ron models/teaching/*.ron; do
  name=$(basename "$m" .ron)
  "$STORMLAB" export asyncapi "$m" -o "$work/asyncapi/$name" >/dev/null \
    || { echo "asyncapi export failed: $m"; fail=1; }
  "$STORMLAB" export asyncapi "$m" --system -o "$work/asyncapi/$name-system" >/dev/null \
    || { echo "asyncapi export failed: $m --system"; fail=1; }
done
for cml in tests/fixtures/cml/*.cml; do
  name=cml-$(basename "$cml" .cml)
  "$STORMLAB" import cml "$cml" -o "$work/$name.ron" 2>/dev/null \
    || { echo "cml import failed: $cml"; fail=1; continue; }
  "$STORMLAB" export asyncapi "$work/$name.ron" -o "$work/asyncapi/$name" >/dev/null \
    || { echo "asyncapi export failed: $cml"; fail=1; }
  "$STORMLAB" export asyncapi "$work/$name.ron" --system -o "$work/asyncapi/$name-system" >/dev/null \
    || { echo "asyncapi export failed: $cml --system"; fail=1; }
done
node tests/asyncapi-validate.mjs $(find "$work/asyncapi" -name '*.json' | sort) || fail=1

for m in models/*.ron models/teaching/*.ron "$work"/cml-*.ron; do
  name=$(basename "$m" .ron)
  "$STORMLAB" export eventcatalog "$m" -o "$work/eventcatalog/$name" >/dev/null \
    || { echo "eventcatalog export failed: $m"; fail=1; continue; }
  if report=$(node_modules/.bin/eventcatalog-linter "$work/eventcatalog/$name" 2>&1); then
    echo "ok $m: $(find "$work/eventcatalog/$name" -name '*.mdx' | wc -l) catalog pages lint clean"
  else
    echo "FAILED $m: the EventCatalog linter found errors"; echo "$report"; fail=1
  fi
done
exit $fail
