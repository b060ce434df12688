#!/usr/bin/env bash
# Runs Stryker mutation testing (stryker.config.mjs) and fails when the mutation score is below
# the threshold.
#
# Usage: scripts/mutation-test.sh [all|validators|loop] [threshold]
#   all         the validators and the agent's tool loop, every file in the config's "mutate" list
#   validators  src/private/validation.ts and the tag, model id, profile name and description checks
#   loop        src/agent/converse-loop.ts, tool-round.ts, stop-reasons.ts and history.ts
#   threshold   minimum mutation score in percent (default 80)
#
# Prints the score of each file and in total. Reports go to coverage/mutation/.
set -euo pipefail
cd "$(dirname "$0")/.."

scope="${1:-all}"
threshold="${2:-80}"

export AWS_REGION="${AWS_REGION:-ap-southeast-2}"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=mutation-test-fake-secret

case "${scope}" in
  all | validators | loop) export MUTATION_SCOPE="${scope}" ;;
  *)
    echo "unknown scope '${scope}': use all, validators or loop" >&2
    exit 2
    ;;
esac

started=$(date +%s)
# stryker.config.mjs sets no break threshold, so the check below prints the score in either case.
npx stryker run stryker.config.mjs
echo "stryker ran for $(($(date +%s) - started)) seconds"

node scripts/mutation-score.js coverage/mutation/mutation.json "${threshold}"
