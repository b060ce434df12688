#!/usr/bin/env bash
# Runs Stryker mutation testing (stryker.config.mjs), one scope at a time, and fails when a scope's
# mutation score is below the threshold.
#
# Usage: scripts/mutation-test.sh [SCOPES] [threshold]
#
#   SCOPES      "all" (the default) or a comma-separated list of these scopes:
#     validators  src/private/validation.ts and the tag, model id, profile name and description checks
#     loop        src/agent/converse-loop.ts, tool-round.ts, stop-reasons.ts and history.ts
#     handler     the rest of the agent and tag activation handlers, without static mutants
#     constructs  the constructs outside the validators scope, without static mutants
#   threshold   minimum mutation score of each scope, in percent (default 80)
#
# Prints the score of each file, of each scope and of all scopes together. Each scope's reports go
# to coverage/mutation/SCOPE/.
set -euo pipefail
cd "$(dirname "$0")/.."

scopes="${1:-all}"
threshold="${2:-80}"
if [[ "${scopes}" == all ]]; then
  scopes=validators,loop,handler,constructs
fi

export AWS_REGION="${AWS_REGION:-ap-southeast-2}"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=mutation-test-fake-secret

IFS=, read -r -a scope_list <<<"${scopes}"
for scope in "${scope_list[@]}"; do
  case "${scope}" in
    validators | loop | handler | constructs) ;;
    *)
      echo "unknown scope '${scope}': use all, or validators, loop, handler and constructs separated by commas" >&2
      exit 2
      ;;
  esac
done

reports=()
below=()
for scope in "${scope_list[@]}"; do
  report_dir="coverage/mutation/${scope}"
  rm -rf "${report_dir}"
  started=$(date +%s)
  echo "::: mutation testing, scope ${scope}"
  # stryker.config.mjs sets no break threshold, so the check below prints the score in either case.
  MUTATION_SCOPE="${scope}" MUTATION_REPORT_DIR="${report_dir}" npx stryker run stryker.config.mjs
  echo "stryker ran the ${scope} scope in $(($(date +%s) - started)) seconds"
  reports+=("${report_dir}/mutation.json")
  if ! node scripts/mutation-score.js "${report_dir}/mutation.json" "${threshold}"; then
    below+=("${scope}")
  fi
done

if ((${#reports[@]} > 1)); then
  echo "::: all scopes together"
  node scripts/mutation-score.js "${reports[@]}" "${threshold}" || true
fi
if ((${#below[@]} > 0)); then
  echo "mutation score below ${threshold}% in: ${below[*]}" >&2
  exit 1
fi
