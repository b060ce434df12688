#!/usr/bin/env bash
# Audits the npm packages that esbuild bundles into the Lambda assets, and fails on a high or
# critical advisory.
#
# The bundled packages are devDependencies of this library, so `npm audit --omit=dev` skips them.
# This script asks esbuild which files each Lambda entry point bundles, maps them to their
# installed packages, writes a temporary project whose package-lock.json holds exactly those
# packages at their installed versions (copied from the root lockfile), and runs `npm audit` on it.
#
# Needs `npm ci` first and access to the npm registry. Set AUDIT_ADD_PACKAGE=name@version to add one
# more package to the audited set, for example to check that a known-vulnerable version fails.
# Set AUDIT_REGISTRY to a registry URL to ask that registry for advisories instead of the
# configured one; test/security/audit-bundled.test.ts points it at a local advisory server.
set -euo pipefail
cd "$(dirname "$0")/.."

ENTRY_POINTS=(src/agent.lambda.ts src/tag-activation.lambda.ts)
AUDIT_LEVEL="${AUDIT_LEVEL:-high}"

work_dir="$(mktemp -d)"
trap 'rm -rf "${work_dir}"' EXIT

metafiles=()
for entry in "${ENTRY_POINTS[@]}"; do
  name="$(basename "${entry}" .ts)"
  # The same options as the projen bundle tasks, so the input list matches the shipped assets.
  npx esbuild --bundle "${entry}" --target=node22 --platform=node --minify --keep-names \
    --tsconfig=tsconfig.dev.json --log-level=warning \
    --outfile="${work_dir}/${name}.js" --metafile="${work_dir}/${name}.meta.json"
  metafiles+=("${work_dir}/${name}.meta.json")
done

mkdir -p "${work_dir}/project"
node - "${work_dir}/project" "${metafiles[@]}" <<'NODE'
const fs = require('fs');
const path = require('path');

const [projectDir, ...metafiles] = process.argv.slice(2);
const rootLock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));

// "node_modules/a/node_modules/@scope/b/dist/x.js" -> "node_modules/a/node_modules/@scope/b"
function packagePath(input) {
  const match = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
  return match ? match[1] : undefined;
}

const bundled = new Set();
for (const metafile of metafiles) {
  for (const input of Object.keys(JSON.parse(fs.readFileSync(metafile, 'utf8')).inputs)) {
    const installPath = packagePath(input);
    if (installPath !== undefined) {
      bundled.add(installPath);
    }
  }
}

const packages = {};
const direct = {};
for (const installPath of [...bundled].sort()) {
  const entry = rootLock.packages[installPath];
  if (entry === undefined) {
    throw new Error(`${installPath} is bundled but missing from package-lock.json; run npm ci`);
  }
  const { dev, devOptional, optional, peer, ...rest } = entry;
  packages[installPath] = rest;
  const name = installPath.replace(/^.*node_modules\//, '');
  if (!installPath.slice('node_modules/'.length).includes('node_modules/')) {
    direct[name] = entry.version;
  }
}

const extra = process.env.AUDIT_ADD_PACKAGE;
if (extra) {
  const at = extra.lastIndexOf('@');
  const [name, version] = [extra.slice(0, at), extra.slice(at + 1)];
  packages[`node_modules/${name}`] = { version };
  direct[name] = version;
  console.log(`added ${name}@${version} from AUDIT_ADD_PACKAGE`);
}

packages[''] = { name: 'bundled-lambda-dependencies', version: '0.0.0', dependencies: direct };
const lock = { name: 'bundled-lambda-dependencies', version: '0.0.0', lockfileVersion: 3, requires: true, packages };
const manifest = { name: 'bundled-lambda-dependencies', version: '0.0.0', private: true, dependencies: direct };
fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify(manifest, null, 2));
fs.writeFileSync(path.join(projectDir, 'package-lock.json'), JSON.stringify(lock, null, 2));

console.log(`bundled packages: ${Object.keys(packages).length - 1}`);
for (const installPath of Object.keys(packages).filter((key) => key !== '').sort()) {
  console.log(`  ${installPath.replace(/^node_modules\//, '')}@${packages[installPath].version}`);
}
NODE

cd "${work_dir}/project"
registry_args=()
if [[ -n "${AUDIT_REGISTRY:-}" ]]; then
  registry_args=(--registry="${AUDIT_REGISTRY}")
fi
echo "npm audit --audit-level=${AUDIT_LEVEL} over the bundled packages:"
npm audit --audit-level="${AUDIT_LEVEL}" --no-fund "${registry_args[@]}"
