import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The real logger writing to a real stdout (a child process), as in production. */
function logLines(script: string): Array<Record<string, unknown>> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const { createLogger } = require('./config/logger'); ${script}`], { cwd: ROOT, encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

describe('logger redaction', () => {
  it('censors tokens, keys and passwords at any of the first three levels, keeps the rest', () => {
    const [line] = logLines(`createLogger('test').info({
      token: 'T0', ksef: { ksefToken: 'T1', accessToken: 'T2' }, settings: { temporal: { apiKey: 'K1' }, smtp: { password: 'P1' } },
      headers: { authorization: 'Bearer B1' }, sellerNip: '5260001246', workflowId: 'invoice-1' }, 'hello')`);
    const text = JSON.stringify(line);
    for (const secret of ['T0', 'T1', 'T2', 'K1', 'P1', 'B1']) expect(text).not.toContain(`"${secret}"`);
    expect(text).not.toContain('Bearer');
    expect(line).toMatchObject({ token: '[redacted]', ksef: { ksefToken: '[redacted]' }, settings: { temporal: { apiKey: '[redacted]' } }, sellerNip: '5260001246', workflowId: 'invoice-1' });
  });

  it('censors KSeF certificate credentials (PEM key, PKCS#12 and their passwords) wherever a config slice is logged', () => {
    const [line] = logLines(`createLogger('test').info({
      ksef: { authMethod: 'certificate', certificate: { kind: 'certificate', certificatePem: 'C1', privateKeyPem: 'K2' } },
      offline: { certificate: { certificatePem: 'C3', privateKeyPem: 'K4' } },
      credential: { privateKeyPem: 'K5', privateKeyPassphrase: 'P6', pkcs12: 'B7', pkcs12Password: 'P8' } }, 'config')`);
    const text = JSON.stringify(line);
    for (const secret of ['K2', 'K4', 'K5', 'P6', 'B7', 'P8']) expect(text).not.toContain(`"${secret}"`);
    expect(line).toMatchObject({ ksef: { authMethod: 'certificate', certificate: '[redacted]' }, credential: { privateKeyPem: '[redacted]' } });
  });

  it('adds mixin fields (the worker passes the current activity context this way)', () => {
    const [line] = logLines(`createLogger('test', 'info', { mixin: () => ({ workflowId: 'wf-1' }) }).info('x')`);
    expect(line).toMatchObject({ component: 'test', workflowId: 'wf-1', msg: 'x' });
  });
});
