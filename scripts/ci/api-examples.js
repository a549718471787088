#!/usr/bin/env node
// Checks the API reference's JSON (written by `npm run docs`): the main names carry an @example.
// Usage: node scripts/ci/api-examples.js [docs-api/api.json]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(process.argv[2] || 'docs-api/api.json');
const project = JSON.parse(fs.readFileSync(file, 'utf8'));

/** The names that must show an example, by entry point. */
const required = {
  rxnova: [
    'connect', 'reconnect', 'constantBackoff', 'linearBackoff', 'exponentialBackoff', 'stepBackoff',
    'heartbeat', 'logTo', 'metrics', 'jsonRpc', 'jsonTopics', 'webSocketTransport',
  ],
  'rxnova/node': ['connect', 'wsTransport'],
  'rxnova/testing': ['TestTransport'],
};

const hasExample = (comment) => Boolean(comment && (comment.blockTags || []).some((tag) => tag.tag === '@example'));

const missing = [];
for (const [entry, names] of Object.entries(required)) {
  const module = (project.children || []).find((child) => child.name === entry);
  if (!module) {
    missing.push(`${entry}: entry point not in the reference`);
    continue;
  }
  for (const name of names) {
    const reflection = (module.children || []).find((child) => child.name === name);
    if (!reflection) {
      missing.push(`${entry}: ${name} is not exported`);
      continue;
    }
    const comments = [reflection.comment, ...(reflection.signatures || []).map((s) => s.comment)];
    if (!comments.some(hasExample)) missing.push(`${entry}: ${name} has no @example`);
  }
}

if (missing.length > 0) {
  console.error(`api-examples: ${missing.length} problem(s):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
const count = Object.values(required).reduce((n, names) => n + names.length, 0);
console.log(`api-examples: all ${count} main names have an @example`);
