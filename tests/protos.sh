#!/usr/bin/env bash
# The exported contracts against the real tools (run by .ci/run after `cargo test`):
# 1. every example model's export passes `protoc` and `buf lint` (STANDARD, no exceptions);
# 2. for each version of tests/fixtures/contracts/base.ron, `stormlab diff` and
#    `buf breaking` give the same verdict at WIRE, WIRE_JSON and PACKAGE.
# Needs: STORMLAB (default target/debug/stormlab), BUF (default node_modules/.bin/buf), protoc.
set -uo pipefail
STORMLAB=$(realpath "${STORMLAB:-target/debug/stormlab}")
BUF=$(realpath "${BUF:-node_modules/.bin/buf}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

for m in models/*.ron; do
  out="$work/lint/$(basename "$m" .ron)"
  "$STORMLAB" export proto "$m" -o "$out" >/dev/null || { echo "export failed: $m"; fail=1; continue; }
  printf 'version: v2\nlint:\n  use:\n    - STANDARD\n' > "$out/buf.yaml"
  (cd "$out" && protoc -I. --include_imports -o /dev/null $(find . -name '*.proto' | sort)) \
    && echo "protoc: $m ok" || { echo "protoc FAILED: $m"; fail=1; }
  (cd "$out" && "$BUF" lint) && echo "buf lint: $m ok" || { echo "buf lint FAILED: $m"; fail=1; }
done

dir=tests/fixtures/contracts
"$STORMLAB" export proto "$dir/base.ron" -o "$work/old" >/dev/null || exit 1
printf 'version: v2\n' > "$work/old/buf.yaml"
for new in "$dir"/*.ron; do
  [ "$(basename "$new")" = base.ron ] && continue
  rm -rf "$work/new"
  "$STORMLAB" export proto "$new" -o "$work/new" >/dev/null || { echo "export failed: $new"; fail=1; continue; }
  for level in wire wire-json package; do
    case $level in wire) category=WIRE ;; wire-json) category=WIRE_JSON ;; *) category=PACKAGE ;; esac
    printf 'version: v2\nbreaking:\n  use:\n    - %s\n' "$category" > "$work/new/buf.yaml"
    "$STORMLAB" diff --level "$level" "$dir/base.ron" "$new" >/dev/null
    case $? in 0) ours=compatible ;; 1) ours=breaking ;; *) ours=error ;; esac
    (cd "$work/new" && "$BUF" breaking --against ../old >/dev/null 2>&1)
    case $? in 0) theirs=compatible ;; 100) theirs=breaking ;; *) theirs=error ;; esac
    verdict="$(basename "$new" .ron) at $category: stormlab $ours, buf $theirs"
    if [ "$ours" = "$theirs" ] && [ "$ours" != error ]; then echo "agree: $verdict"; else echo "DISAGREE: $verdict"; fail=1; fi
  done
done
exit $fail
