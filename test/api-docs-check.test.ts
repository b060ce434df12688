import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'check-api-docs.js');

function check(types: Record<string, unknown>): { status: number | null; output: string } {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
  const assembly = path.join(directory, '.jsii');
  fs.writeFileSync(assembly, JSON.stringify({ types }));
  const result = spawnSync(process.execPath, [SCRIPT, assembly], { encoding: 'utf8' });
  fs.rmSync(directory, { recursive: true, force: true });
  return { status: result.status, output: result.stdout + result.stderr };
}

const documentedStruct = {
  datatype: true,
  docs: { summary: 'Props.' },
  properties: [{ name: 'name', optional: true, docs: { summary: 'The name.', default: '- none' } }],
};

test('passes documented assembly', () => {
  expect(check({ 'lib.Props': documentedStruct }).status).toBe(0);
});

test('fails on undocumented type', () => {
  const result = check({ 'lib.Thing': { docs: {} } });

  expect(result.status).toBe(1);
  expect(result.output).toContain('lib.Thing: the type has no summary');
});

test('fails on undocumented method', () => {
  const result = check({ 'lib.Thing': { docs: { summary: 'A thing.' }, methods: [{ name: 'run', docs: {} }] } });

  expect(result.status).toBe(1);
  expect(result.output).toContain('lib.Thing.run(): the method has no summary');
});

test('fails on optional prop without default', () => {
  const struct = { ...documentedStruct, properties: [{ name: 'name', optional: true, docs: { summary: 'The name.' } }] };
  const result = check({ 'lib.Props': struct });

  expect(result.status).toBe(1);
  expect(result.output).toContain('lib.Props.name: the optional property has no @default');
});

test('skips members that override', () => {
  const type = { docs: { summary: 'A thing.' }, properties: [{ name: 'arn', overrides: 'lib.IThing', docs: {} }] };

  expect(check({ 'lib.Thing': type }).status).toBe(0);
});
