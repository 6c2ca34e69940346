import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_ENV_VARS } from '../../config';

const doc = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'CONFIGURATION.md'), 'utf8');
/** Variables named in the first column of a table row: "| `NAME` | default | meaning |". */
const documented = new Set([...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]));

describe('docs/CONFIGURATION.md', () => {
  it('has a row for every variable of the configuration schema', () => {
    expect(CONFIG_ENV_VARS.length).toBeGreaterThan(40);
    expect(CONFIG_ENV_VARS.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents no variable the schema does not read', () => {
    expect([...documented].filter((name) => !CONFIG_ENV_VARS.includes(name))).toEqual([]);
  });
});
