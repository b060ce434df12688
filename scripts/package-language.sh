#!/usr/bin/env bash
# Packages the jsii bindings of one language. Where the language's build tool is missing (the .NET
# SDK on most Linux machines), it generates that language's code instead of failing the build.
# Usage: package-language.sh LANGUAGE TOOL, for example: package-language.sh dotnet dotnet
set -euo pipefail
language=$1
tool=$2

if ! command -v "${tool}" >/dev/null 2>&1; then
  echo "${tool} not found, so only the ${language} code is generated (in dist/${language}), not a package"
  exec jsii-pacmak -v --target "${language}" --code-only
fi

if [[ "${language}" != go ]]; then
  exec jsii-pacmak -v --target "${language}"
fi

# Building the Go module runs `go mod tidy`, which needs every module that aws-cdk-go requires from
# the Go module proxy. Where the proxy or its checksum database cannot serve one of them, keep the
# generated code and report it, rather than fail the whole build.
if ! jsii-pacmak -v --target go; then
  echo "building the Go module failed (see the go errors above), so only the Go code is generated in dist/go"
  exec jsii-pacmak -v --target go --code-only
fi
