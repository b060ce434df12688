#!/usr/bin/env bash
# Breaks the build on purpose, once per security and reliability check, and shows that the check
# fails. Each case edits one file, runs the check that should catch the edit, and restores the file.
#
# Usage: scripts/break-checks.sh [case...]
#   With no argument every case runs. Cases: iam-condition, iam-action, cdk-nag, validation,
#   fuzz, cost-faults, logs, audit, mutation.
#
# Needs `npm ci` and a tree without changes to the files it edits. Prints one line per case,
# "caught" when the check failed as it should, and exits with 1 if any break went unnoticed.
# Not part of .ci/run: it takes about 10 minutes, most of it in the mutation case.
set -uo pipefail
cd "$(dirname "$0")/.."

export AWS_REGION=ap-southeast-2
export AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_CLI_TELEMETRY=true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1

backup_dir="$(mktemp -d)"
edited=()
restore() {
  for file in "${edited[@]}"; do
    cp "${backup_dir}/$(echo "${file}" | tr / _)" "${file}"
  done
  edited=()
}
trap 'restore; rm -rf "${backup_dir}"' EXIT

# break FILE PERL_EXPRESSION: applies a perl substitution and fails when it changes nothing.
break_file() {
  local file=$1 expression=$2
  if ! git diff --quiet -- "${file}"; then
    echo "${file} has uncommitted changes; commit or stash them first" >&2
    return 1
  fi
  cp "${file}" "${backup_dir}/$(echo "${file}" | tr / _)"
  edited+=("${file}")
  perl -0pi -e "${expression}" "${file}"
  if cmp -s "${file}" "${backup_dir}/$(echo "${file}" | tr / _)"; then
    echo "the edit of ${file} matched nothing; update scripts/break-checks.sh" >&2
    return 1
  fi
}

jest_file() {
  npx jest --coverage=false --ci "$@"
}

results=()
missed=0
# run_case NAME WHAT_IS_BROKEN -- CHECK_COMMAND...: the check must fail with the break in place.
run_case() {
  local name=$1 what=$2
  shift 3
  local log=".tmp/break-checks/${name}.log"
  mkdir -p .tmp/break-checks
  echo "::: ${name}: ${what}"
  if "$@" >"${log}" 2>&1; then
    results+=("${name}: NOT CAUGHT (${what}); see ${log}")
    missed=$((missed + 1))
  else
    results+=("${name}: caught (${what}); $(grep -m1 -E '^(Tests:|mutation score)' "${log}" || echo "exit status non-zero")")
  fi
  restore
}

case_iam-condition() {
  break_file src/cost-tracked-inference-profile.ts \
    "s/\n\s*conditions: \{ StringEquals: \{ 'bedrock:InferenceProfileArn': this\.inferenceProfileArn \} \},//" || return 2
  run_case iam-condition 'grantInvoke drops the bedrock:InferenceProfileArn condition' -- \
    jest_file test/security/iam-simulation.test.ts
}

case_iam-action() {
  break_file src/cost-tracked-bedrock-agent.ts "s/actions: \['ce:GetCostAndUsage'\]/actions: ['ce:*']/" || return 2
  run_case iam-action "the agent role gets ce:* instead of ce:GetCostAndUsage" -- \
    jest_file test/security/iam-simulation.test.ts
}

case_cdk-nag() {
  break_file examples/app.ts 's/enforceSSL: true/enforceSSL: false/' || return 2
  run_case cdk-nag 'the example topic accepts publishing without TLS' -- \
    jest_file test/security/cdk-nag.test.ts
}

case_validation() {
  break_file src/cost-allocation-tags.ts 's/const MAX_VALUE_LENGTH = 256;/const MAX_VALUE_LENGTH = 300;/' || return 2
  run_case validation 'tag values of up to 300 characters are accepted' -- \
    jest_file test/security/validation-properties.test.ts
}

case_fuzz() {
  break_file src/agent/request.ts 's/if \(prompt\.trim\(\)\.length === 0\) \{/if (prompt.length === 0 \&\& prompt.trim().length === 0) {/' || return 2
  run_case fuzz 'a whitespace-only prompt reaches Bedrock' -- jest_file test/agent-fuzz.test.ts
}

case_cost-faults() {
  break_file src/agent/cost-explorer.ts 's/\{ \.\.\.request, NextPageToken: nextPageToken \}\), \{ abortSignal \}/{ ...request, NextPageToken: nextPageToken }), {}/' || return 2
  run_case cost-faults 'Cost Explorer calls ignore the deadline' -- jest_file test/agent-fuzz-cost-faults.test.ts
}

case_logs() {
  break_file src/agent/config.ts 's/if \(value === undefined\) \{\n    return \{ value: false \};/if (value === undefined) {\n    return { value: true };/' || return 2
  run_case logs 'conversation text is logged by default' -- jest_file test/agent-logs.test.ts
}

case_audit() {
  break_file scripts/audit-bundled.sh 's/(npm audit --audit-level="\$\{AUDIT_LEVEL\}" --no-fund "\$\{registry_args\[@\]\}")/$1 || true/' || return 2
  run_case audit 'the audit script ignores the result of npm audit' -- \
    jest_file test/security/audit-bundled.test.ts
}

case_mutation() {
  # stopReasonOutcome and toolRoundLimitAnswer keep only the coverage that the other loop tests give them.
  break_file test/agent-loop-stop-reasons.test.ts 's/\btest\(/test.skip(/g; s/\btest\.each/test.skip.each/g' || return 2
  run_case mutation 'the stop reason tests are skipped' -- bash -c \
    'MUTATION_SCOPE=loop MUTATION_REPORT_DIR=.tmp/break-checks npx stryker run stryker.config.mjs \
       --mutate src/agent/stop-reasons.ts:88-101 && node scripts/mutation-score.js .tmp/break-checks/mutation.json 80'
}

all_cases=(iam-condition iam-action cdk-nag validation fuzz cost-faults logs audit mutation)
selected=("$@")
if ((${#selected[@]} == 0)); then
  selected=("${all_cases[@]}")
fi
for name in "${selected[@]}"; do
  if ! declare -F "case_${name}" >/dev/null; then
    echo "unknown case '${name}': use ${all_cases[*]}" >&2
    exit 2
  fi
  "case_${name}" || { results+=("${name}: could not apply the break"); missed=$((missed + 1)); restore; }
done

echo
for line in "${results[@]}"; do
  echo "${line}"
done
((missed == 0))
