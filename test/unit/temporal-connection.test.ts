import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { ConfigError } from '../../config';
import { connectTemporalClient, connectTemporalWorker, temporalConnectionOptions, type TemporalConnectionSettings } from '../../infra/temporal-connection';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ksef-ops-tls-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const base: TemporalConnectionSettings = { address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', tls: false };

describe('Temporal connection options from configuration', () => {
  it('plain connection for the dev server', () => {
    expect(temporalConnectionOptions({ ...base, address: '127.0.0.1:7233' })).toEqual({ address: '127.0.0.1:7233', tls: undefined });
  });

  it('API key (inline or from a secret file) implies TLS and names the namespace', () => {
    const expected = { address: base.address, tls: true, apiKey: 'key-1', metadata: { 'temporal-namespace': 'ns.acct' } };
    expect(temporalConnectionOptions({ ...base, apiKey: 'key-1' })).toEqual(expected);
    expect(temporalConnectionOptions({ ...base, apiKeyFile: file('api-key', 'key-1\n') })).toEqual(expected);
  });

  it('mTLS reads the client pair, CA and server name from files', () => {
    const options = temporalConnectionOptions({
      ...base,
      tlsCertFile: file('client.pem', 'CERT'),
      tlsKeyFile: file('client.key', 'KEY'),
      tlsCaFile: file('ca.pem', 'CA'),
      tlsServerName: 'frontend.internal',
    });
    expect(options.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
      serverRootCACertificate: Buffer.from('CA'),
      serverNameOverride: 'frontend.internal',
    });
    expect(options.apiKey).toBeUndefined();
  });

  it('refuses half a client pair, two API keys and unreadable files with the variable name', () => {
    expect(() => temporalConnectionOptions({ ...base, tlsCertFile: file('only.pem', 'CERT') })).toThrow(/TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE/);
    expect(() => temporalConnectionOptions({ ...base, apiKey: 'a', apiKeyFile: file('k', 'b') })).toThrow(ConfigError);
    expect(() => temporalConnectionOptions({ ...base, tlsCaFile: path.join(dir, 'missing.pem') })).toThrow(/TEMPORAL_TLS_CA_FILE: cannot read .*ENOENT/);
  });

  it('client and worker connections built by the helper reach the test server', async () => {
    const address = process.env.TEST_TEMPORAL_ADDRESS!;
    const connection = await connectTemporalClient({ address, namespace: 'default', tls: false });
    const native = await connectTemporalWorker({ address, namespace: 'default', tls: false });
    try {
      const info = await new Client({ connection }).workflowService.getSystemInfo({});
      expect(info.capabilities).toBeDefined();
    } finally {
      await native.close();
      await connection.close();
    }
  });
});
