#!/usr/bin/env bash
# `stormlab check --format sarif` against Microsoft's SARIF validator (run by .ci/run after
# `cargo test`): the SARIF 2.1.0 JSON schema and the validator's rules, on every example model,
# a model with errors, a file that does not parse and a file that cannot be read. Any error the
# validator reports fails; its warnings are printed (SARIF2005: the tool has no
# `informationUri` — Stormlab has no web page of its own to name).
# Needs: STORMLAB (default target/debug/stormlab) and node_modules/@microsoft/sarif-multitool.
set -uo pipefail
STORMLAB=$(realpath "${STORMLAB:-target/debug/stormlab}")
tool=node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
# npm does not run the package's install script that makes its binary executable.
chmod u+x "$tool"
# The validator is a .NET program: it needs no ICU library in this mode.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

printf '(format: 2, name: "Broken", contexts: [(name: "Shop", commands: [(name: "Pay", target: "Nowhere", at: (0.0, 0.0))])])\n' >"$work/errors.ron"
printf '(format: 2, name: "Cut", contexts: [(name: "Shop",\n' >"$work/cut.ron"
for m in models/*.ron models/teaching/*.ron "$work/errors.ron" "$work/cut.ron" "$work/missing.ron"; do
  name=$(basename "$m" .ron)
  # Exit 1 (findings) and 2 (unreadable) still write the log.
  "$STORMLAB" check --format sarif "$m" >"$work/$name.sarif"
  code=$?
  if [ "$code" -gt 2 ]; then echo "FAILED $m: check exited $code"; fail=1; continue; fi
  report=$("$tool" validate "$work/$name.sarif" -o "$work/$name.validation.sarif" --log ForceOverwrite 2>&1)
  rc=$?
  if [ "$rc" -ne 0 ] || grep -q ": error " <<<"$report"; then
    echo "FAILED $m: the SARIF validator found errors"; echo "$report"; fail=1
  else
    results=$(grep -c '"ruleId"' "$work/$name.sarif")
    echo "ok $m: SARIF valid ($results result(s), check exit $code)"
    grep ": warning " <<<"$report" | grep -v "SARIF2005" || true
  fi
done
exit $fail
