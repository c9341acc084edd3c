#!/usr/bin/env bash
# Builds the Helm chart of the reference platform into dist-helm/samokoder from the same constructs as dist/:
# cdk8s synthesizes it in Helm format, then scripts/finalize-helm-chart.mjs fills in the chart metadata and values.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').version")
out=${HELM_OUT:-dist-helm/samokoder}
npx --no-install cdk8s synth --app "npx --no-install tsx apps/helm.ts" --format helm --chart-version "$version" \
  --output "$out" --check-upgrade false >/dev/null
node scripts/finalize-helm-chart.mjs "$out"
