#!/usr/bin/env node
// Prints the mutation score of one or more Stryker JSON reports, per file and in total, and exits
// with 1 when the total is below the threshold.
//
// Usage: node scripts/mutation-score.js REPORT.json [REPORT.json ...] [THRESHOLD_PERCENT]
//   (default threshold 80; a last argument that is a number is the threshold)
const fs = require('fs');
const args = process.argv.slice(2);
const threshold = args.length > 1 && /^\d+(\.\d+)?$/.test(args[args.length - 1]) ? Number(args.pop()) : 80;
if (args.length === 0) {
  console.error('usage: node scripts/mutation-score.js REPORT.json [REPORT.json ...] [THRESHOLD_PERCENT]');
  process.exit(2);
}
// Stryker's mutation score: killed and timed-out mutants over all valid mutants, counting
// survivors and mutants that no test covers as failures. Compile errors and ignored mutants do not
// count.
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
let totalDetected = 0;
let totalValid = 0;
const files = args.flatMap((reportFile) => Object.entries(JSON.parse(fs.readFileSync(reportFile, 'utf8')).files));
for (const [file, result] of files) {
  const fileDetected = result.mutants.filter((mutant) => detected.has(mutant.status)).length;
  const fileValid = fileDetected + result.mutants.filter((mutant) => undetected.has(mutant.status)).length;
  totalDetected += fileDetected;
  totalValid += fileValid;
  if (fileValid > 0) {
    console.log(`${file}: ${(100 * fileDetected / fileValid).toFixed(1)}% (${fileDetected} of ${fileValid})`);
  }
}
const score = totalValid === 0 ? 0 : 100 * totalDetected / totalValid;
console.log(`mutation score: ${score.toFixed(2)}% (${totalDetected} of ${totalValid} mutants detected), threshold ${threshold}%`);
if (score < threshold) {
  console.error(`mutation score ${score.toFixed(2)}% is below the threshold of ${threshold}%; add tests that kill the surviving mutants listed in the HTML report beside each JSON report`);
  process.exit(1);
}
