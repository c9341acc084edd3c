#!/usr/bin/env bash
# Runs every example program the way a team repo would, into a scratch directory, and checks it wrote output.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ex in examples/*.ts; do
  name=$(basename "$ex" .ts)
  npx --no-install tsx "$ex" "$out/$name"
  count=$(find "$out/$name" -type f \( -name '*.yaml' -o -name 'cdk.tf.json' \) | wc -l)
  if [ "$count" -eq 0 ]; then echo "example $name wrote no manifests"; exit 1; fi
  echo "example $name: $count file(s)"
done
