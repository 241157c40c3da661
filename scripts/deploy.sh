#!/usr/bin/env bash
# Build the container image and deploy one samconfig.toml environment:
#   npm run deploy              -> default (dev) stack
#   npm run deploy -- prod      -> prod stack (shows the changeset and asks first)
#   npm run deploy -- --region eu-west-1 -> default stack, with the option passed on
# Extra arguments go to `sam deploy`, e.g. npm run deploy -- prod --region eu-west-1
set -euo pipefail

# The first argument names the environment only when it is not an option.
config_env=default
if [[ $# -gt 0 && "$1" != -* ]]; then
  config_env="$1"
  shift
fi

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
