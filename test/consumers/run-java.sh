#!/usr/bin/env bash
# Builds and tests the Java consumer app with Maven against the artifact in dist/java and
# aws-cdk-lib from Maven Central. Run `npx projen package:java` first. Maven keeps downloads in
# ~/.m2, so a second run on one machine downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."

pom=$(ls dist/java/io/github/cdk-bedrock-cost-tracking/cdk-bedrock-cost-tracking/*/cdk-bedrock-cost-tracking-*.pom 2>/dev/null | head -n 1)
if [[ -z "${pom}" ]]; then
  echo "no artifact in dist/java; run 'npx projen package:java' first" >&2
  exit 1
fi
library_version=$(basename "$(dirname "${pom}")")
cdk_version=$(node -p "require('aws-cdk-lib/package.json').version")

mvn --batch-mode --no-transfer-progress --file test/consumers/java/pom.xml \
  -Dlibrary.version="${library_version}" -Dcdk.version="${cdk_version}" test
mkdir -p test-reports
cp test/consumers/java/target/surefire-reports/TEST-*.xml test-reports/ 2>/dev/null || true
