#!/usr/bin/env bash
# Installs the Python wheel from dist/python into a fresh virtual environment with aws-cdk-lib
# from PyPI, then runs the consumer tests with pytest. Run `npx projen package:python` first.
# pip keeps its download cache in ~/.cache/pip, so a second run on one machine downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

wheel=$(ls dist/python/cdk_bedrock_cost_tracking-*.whl 2>/dev/null | head -n 1)
if [[ -z "${wheel}" ]]; then
  echo "no wheel in dist/python; run 'npx projen package:python' first" >&2
  exit 1
fi
cdk_version=$(node -p "require('aws-cdk-lib/package.json').version")

venv=$(mktemp -d)/venv
trap 'rm -rf "$(dirname "${venv}")"' EXIT
python3 -m venv "${venv}"
"${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${wheel}" "aws-cdk-lib==${cdk_version}" pytest
"${venv}/bin/python" -m pytest -q -p no:cacheprovider --junitxml=test-reports/consumer-python.xml test/consumers/python
