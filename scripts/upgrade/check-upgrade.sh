#!/usr/bin/env bash
# npm run upgrade:check [-- <base-ref>]: the library's own upgrade check (#25). Synthesizes the reference platform
# (apps/) and the minimal-usage fixtures (scripts/upgrade/minimal-usage.ts) at <base-ref> (default: the last release
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

status=0
for pair in "reference:$work/base:$work/head" "minimal usage:$work/base-minimal:$work/head-minimal"; do
  IFS=: read -r name before after <<<"$pair"
  echo "== $name"
  node build/upgrade/cli.js "$before" "$after" --acknowledged CHANGELOG.md || status=$?
done
exit "$status"
