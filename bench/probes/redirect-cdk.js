'use strict';
/**
 * Preloaded with `node -r` to make this library load bench/'s aws-cdk-lib and constructs in place
 * of the repository's, so that it can be measured with the same aws-cdk-lib as the alternatives.
 */
const Module = require('node:module');
const path = require('node:path');

const benchModules = path.join(__dirname, '..', 'node_modules');
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveFromBench(request, parent, ...rest) {
  if (request === 'aws-cdk-lib' || request.startsWith('aws-cdk-lib/') || request === 'constructs') {
    return originalResolve.call(this, request, { ...parent, paths: [benchModules] }, ...rest);
  }
  return originalResolve.call(this, request, parent, ...rest);
};
