#!/usr/bin/env bash
# npm run upgrade:check [-- <base-ref>]: the library's own upgrade check (#25). Synthesizes the reference platform
# (apps/), the minimal-usage fixtures (scripts/upgrade/minimal-usage.ts) and the examples (examples/*.ts, each side's
# own: a team's program before and after it follows the CHANGELOG's migration steps) at <base-ref> (default: the last release
# tag, or the previous commit when no tag exists) and from the working tree's tracked files, then runs the shipped
# command (build/upgrade/cli.js: run `npm run build` first) on each pair, with the CHANGELOG as the acknowledgements.
# Fails on a stateful replacement or deletion, a moved state key or a data-holding prune the CHANGELOG does not name.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
base=${1:-$(git describe --tags --abbrev=0 2>/dev/null || git rev-parse --short HEAD~1)}
test -f build/upgrade/cli.js || { echo "build/upgrade/cli.js is missing: run npm run build first"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "upgrade check: $base ($(git log -1 --format='%h %s' "$base" | cut -c1-80)) → working tree"

# Each side: its own sources (the base from git, HEAD's tracked files as they are now), HEAD's node_modules and
# HEAD's fixture program (it uses only API the base also has).
git archive "$base" | tar -x -C "$work" --one-top-level=base
mkdir -p "$work/head"
git ls-files -z | xargs -0 cp --parents -t "$work/head"
for side in base head; do
  ln -s "$repo/node_modules" "$work/$side/node_modules"
  mkdir -p "$work/$side/scripts/upgrade"
  cp scripts/upgrade/minimal-usage.ts "$work/$side/scripts/upgrade/minimal-usage.ts"
  if ! (cd "$work/$side" && npx --no-install tsx apps/synth.ts && npx --no-install tsx scripts/upgrade/minimal-usage.ts "$work/$side-minimal") >"$work/$side.log" 2>&1; then
    cat "$work/$side.log"; echo "synthesizing $side failed"; exit 2
  fi
done
# The examples both sides have (one added since the base has nothing to compare with; one removed is said).
examples=()
for ex in examples/*.ts; do
  name=$(basename "$ex" .ts)
  if [ ! -f "$work/base/examples/$name.ts" ]; then echo "example $name: new since $base, nothing to compare"; continue; fi
  examples+=("$name")
done
for ex in "$work"/base/examples/*.ts; do
  [ -f "examples/$(basename "$ex")" ] || echo "example $(basename "$ex" .ts): removed since $base (a team using it keeps its own copy)"
done
for side in base head; do
  for name in "${examples[@]}"; do
    mkdir -p "$work/$side-examples/$name"
    if ! (cd "$work/$side" && npx --no-install tsx "examples/$name.ts" "$work/$side-examples/$name/out") >>"$work/$side.log" 2>&1; then
      cat "$work/$side.log"; echo "synthesizing example $name at $side failed"; exit 2
    fi
  done
done

status=0
pairs=("reference:$work/base:$work/head" "minimal usage:$work/base-minimal:$work/head-minimal")
# An example writes its stacks (stacks/) or manifests straight under the directory it is given.
for name in "${examples[@]}"; do pairs+=("example $name:$work/base-examples/$name:$work/head-examples/$name:out"); done
for pair in "${pairs[@]}"; do
  IFS=: read -r name before after own <<<"$pair"
  echo "== $name"
  layout=()
  if [ -n "$own" ]; then layout=(--terraform-dir "$own" --kubernetes-dir "$own"); fi
  node build/upgrade/cli.js "$before" "$after" "${layout[@]}" --acknowledged CHANGELOG.md || status=$?
done
exit "$status"
