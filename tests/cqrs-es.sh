#!/usr/bin/env bash
# The cqrs-es tests generated from the scenarios' runs (run by .ci/run after `cargo test`):
# for every example model (and tests/fixtures/cqrs-es: names Rust reads otherwise),
# `stormlab export tests --for cqrs-es` writes a crate (aggregate skeletons and
# TestFramework tests), and the crate's tests compile against its skeletons, warning-free.
# The crates share one target folder, so cqrs-es and its dependencies build once.
# Needs: STORMLAB (default target/debug/stormlab), cargo with access to crates.io.
set -uo pipefail
STORMLAB=$(realpath "${STORMLAB:-target/debug/stormlab}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Absolute: each crate builds from its own folder, and a relative path would give each crate
# its own target (every dependency built once per model).
export CARGO_TARGET_DIR
CARGO_TARGET_DIR=$(realpath -m "${CQRS_TARGET_DIR:-$work/target}")
# Without debug info: only compiling matters here, and it keeps the folder small.
export CARGO_PROFILE_DEV_DEBUG=false
fail=0
for m in models/*.ron models/teaching/*.ron tests/fixtures/cqrs-es/*.ron; do
  name=$(basename "$m" .ron)
  "$STORMLAB" export tests "$m" --for cqrs-es -o "$work/$name" >/dev/null \
    || { echo "export tests failed: $m"; fail=1; continue; }
  tests=$(cat "$work/$name"/tests/*.rs 2>/dev/null | grep -c '#\[test\]')
  if [ "$tests" -eq 0 ]; then
    echo "no tests generated for $m"; fail=1; continue
  fi
  if (cd "$work/$name" && cargo test --no-run --quiet 2>"$work/$name.log"); then
    echo "ok $m: $tests tests compile"
  else
    echo "FAILED $m: the generated crate does not compile"; cat "$work/$name.log"; fail=1
  fi
  # Warnings are failures too: the generated code is meant to be read and kept.
  if grep -q "^warning" "$work/$name.log"; then
    echo "FAILED $m: the generated crate compiles with warnings"; cat "$work/$name.log"; fail=1
  fi
done
exit $fail
