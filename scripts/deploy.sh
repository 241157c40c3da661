#!/usr/bin/env bash
# Build the container image and deploy one samconfig.toml environment:
#   npm run deploy              -> default (dev) stack
#   npm run deploy -- prod      -> prod stack (shows the changeset and asks first)
# Extra arguments go to `sam deploy`, e.g. npm run deploy -- prod --region eu-west-1
set -euo pipefail

config_env="${1:-default}"
shift || true

cd "$(dirname "$0")/.."

for tool in sam docker; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "deploy: '$tool' is required (see docs/deployment.md, Prerequisites)" >&2
    exit 1
  fi
done

sam validate --lint --config-env "$config_env"
sam build --config-env "$config_env"
sam deploy --config-env "$config_env" "$@"
