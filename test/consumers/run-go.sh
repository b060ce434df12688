#!/usr/bin/env bash
# Builds and tests the Go consumer app against the module generated in dist/go. Run
# `npx projen package:go` first. Go keeps downloaded modules in its module cache, so a second run
# on one machine downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -f dist/go/cdkbedrockcosttracking/go.mod ]]; then
  echo "no Go module in dist/go; run 'npx projen package:go' first" >&2
  exit 1
fi

# The Go module proxy serves the modules here, but its checksum database answers 404.
export GOSUMDB=off GOFLAGS=-mod=mod
mkdir -p test-reports
cd test/consumers/go
go test -count=1 -v ./... 2>&1 | tee ../../../test-reports/consumer-go.txt
