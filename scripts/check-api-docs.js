#!/usr/bin/env node
// Fails when a public type, property or method of the jsii assembly (.jsii) has no TSDoc summary,
// or when an optional property of a props struct has no @default. Construct Hub shows these docs.
// A member that overrides or implements a documented member inherits its docs, so it is skipped.
// Usage: check-api-docs.js [ASSEMBLY], by default the .jsii file at the top of the repository.
const fs = require('fs');
const path = require('path');

const assemblyPath = process.argv[2] ?? path.join(__dirname, '..', '.jsii');
const assembly = JSON.parse(fs.readFileSync(assemblyPath, 'utf8'));
const problems = [];

for (const [fqn, type] of Object.entries(assembly.types ?? {})) {
  if (!type.docs?.summary) {
    problems.push(`${fqn}: the type has no summary`);
  }
  for (const property of type.properties ?? []) {
    const name = `${fqn}.${property.name}`;
    if (property.overrides) {
      continue;
    }
    if (!property.docs?.summary) {
      problems.push(`${name}: the property has no summary`);
    }
    if (type.datatype && property.optional && property.docs?.default === undefined) {
      problems.push(`${name}: the optional property has no @default`);
    }
  }
  for (const method of type.methods ?? []) {
    if (!method.overrides && !method.docs?.summary) {
      problems.push(`${fqn}.${method.name}(): the method has no summary`);
    }
  }
}

if (problems.length > 0) {
  console.error(`${problems.length} public API members lack docs:\n  ${problems.join('\n  ')}`);
  console.error('Add a TSDoc comment (and @default for optional props), then run the build again.');
  process.exit(1);
}
console.log(`API docs check passed: ${Object.keys(assembly.types ?? {}).length} types documented`);
