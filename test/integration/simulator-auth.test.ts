import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { http, rsaEncrypt, sleep, startSimulator, type StartedSimulator } from './simulator-support/client';
import { randomNip } from './simulator-support/fixtures';

describe('KSeF simulator: authentication', () => {
  let sim: StartedSimulator;
  const nip = randomNip();

  beforeAll(async () => {
    sim = await startSimulator({ authDelayMs: 300 });
  });
  afterAll(() => sim.running.close());

  async function initAuth(token: string, contextNip = nip, tamper?: (timestampMs: number) => string) {
    const base = sim.running.url;
    const challenge = await http(`${base}/auth/challenge`, { method: 'POST' });
    const key = await sim.client.keyFor('KsefTokenEncryption');
    const plaintext = tamper ? tamper(challenge.body.timestampMs) : `${token}|${challenge.body.timestampMs}`;
    const res = await http(`${base}/auth/ksef-token`, {
      json: {
        challenge: challenge.body.challenge,
        contextIdentifier: { type: 'Nip', value: contextNip },
        encryptedToken: rsaEncrypt(key.certificate, Buffer.from(plaintext)).toString('base64'),
      },
    });
    return { res, challenge: challenge.body.challenge as string };
  }

  it('publishes two self-signed certificates whose ids follow the documented hashing', async () => {
    const keys = await sim.client.publicKeys();
    expect(keys.map((k) => k.usage).flat().sort()).toEqual(['KsefTokenEncryption', 'SymmetricKeyEncryption']);
    for (const key of keys) {
      const der = Buffer.from(key.certificate, 'base64');
      const cert = new X509Certificate(der);
      expect(cert.subject).toContain('CN=Ministerstwo Finansów');
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(key.certificateId).toBe(createHash('sha256').update(der).digest('base64'));
      expect(key.publicKeyId).toBe(createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
    }
  });

  it('with stateDir the key pairs survive a restart; without it every instance has its own', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ksef-sim-'));
    try {
      const first = await startSimulator({ stateDir: dir });
      const firstKeys = (await first.client.publicKeys()).map((k) => k.publicKeyId);
      await first.running.close();
      const second = await startSimulator({ stateDir: dir });
      expect((await second.client.publicKeys()).map((k) => k.publicKeyId)).toEqual(firstKeys);
      await second.running.close();
      expect((await sim.client.publicKeys()).map((k) => k.publicKeyId)).not.toEqual(firstKeys);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs challenge → ksef-token → 100 → 200 → redeem once → refresh', async () => {
    const { res } = await initAuth('any-token');
    expect(res.status).toBe(202);
    const authToken = res.body.authenticationToken.token;
    const first = await http(`${sim.running.url}/auth/${res.body.referenceNumber}`, { token: authToken });
    expect(first.body.status.code).toBe(100);
    expect(await sim.client.pollAuth(res.body.referenceNumber, authToken)).toBe(200);

    const redeemed = await http(`${sim.running.url}/auth/token/redeem`, { method: 'POST', token: authToken });
    expect(redeemed.status).toBe(200);
    const payload = JSON.parse(Buffer.from(redeemed.body.accessToken.token.split('.')[1], 'base64url').toString());
    expect(payload.ctx).toBe(nip);
    expect(payload.exp * 1000).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(Date.parse(redeemed.body.refreshToken.validUntil)).toBeGreaterThan(Date.now() + 6.9 * 24 * 3600_000);

    const again = await http(`${sim.running.url}/auth/token/redeem`, { method: 'POST', token: authToken });
    expect(again.status).toBe(400);
    expect(again.body.exception.exceptionDetailList[0].exceptionCode).toBe(21301);

    const refreshed = await http(`${sim.running.url}/auth/token/refresh`, { method: 'POST', token: redeemed.body.refreshToken.token });
    expect(refreshed.status).toBe(200);
    const sessions = await http(`${sim.running.url}/sessions?sessionType=Online`, { token: refreshed.body.accessToken.token });
    expect(sessions.status).toBe(200);
    // a refresh token is not an access token
    expect((await http(`${sim.running.url}/sessions?sessionType=Online`, { token: redeemed.body.refreshToken.token })).status).toBe(401);
  });

  it('rejects a reused or unknown challenge with 21111', async () => {
    const { challenge } = await initAuth('t');
    const key = await sim.client.keyFor('KsefTokenEncryption');
    const reuse = await http(`${sim.running.url}/auth/ksef-token`, {
      json: { challenge, contextIdentifier: { type: 'Nip', value: nip }, encryptedToken: rsaEncrypt(key.certificate, Buffer.from('t|1')).toString('base64') },
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body.exception.exceptionDetailList[0].exceptionCode).toBe(21111);
  });

  it('ends with 450 when the token timestamp is wrong, and refuses to redeem', async () => {
    const { res } = await initAuth('t', nip, () => 't|123');
    expect(await sim.client.pollAuth(res.body.referenceNumber, res.body.authenticationToken.token)).toBe(450);
    const redeem = await http(`${sim.running.url}/auth/token/redeem`, { method: 'POST', token: res.body.authenticationToken.token });
    expect(redeem.body.exception.exceptionDetailList[0].exceptionCode).toBe(21301);
  });

  it('21470 for an unknown publicKeyId', async () => {
    const challenge = await http(`${sim.running.url}/auth/challenge`, { method: 'POST' });
    const res = await http(`${sim.running.url}/auth/ksef-token`, {
      json: { challenge: challenge.body.challenge, contextIdentifier: { type: 'Nip', value: nip }, encryptedToken: 'AAAA', publicKeyId: 'A'.repeat(43) + '=' },
    });
    expect(res.body.exception.exceptionDetailList[0].exceptionCode).toBe(21470);
  });

  it('401 problem+json for a missing, forged or expired bearer', async () => {
    const missing = await http(`${sim.running.url}/sessions?sessionType=Online`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect((await http(`${sim.running.url}/sessions?sessionType=Online`, { token: 'a.b.c' })).status).toBe(401);

    const shortLived = await startSimulator({ accessTokenTtlMs: 150 });
    try {
      await shortLived.client.authenticate(nip);
      expect((await http(`${shortLived.running.url}/sessions?sessionType=Online`, { token: shortLived.client.accessToken })).status).toBe(200);
      await sleep(200);
      const expired = await http(`${shortLived.running.url}/sessions?sessionType=Online`, { token: shortLived.client.accessToken });
      expect(expired.status).toBe(401);
      expect(expired.body.detail).toMatch(/wygasł/);
    } finally {
      await shortLived.running.close();
    }
  });

  it('strict token policy: only registered tokens, only for their NIP', async () => {
    const strict = await startSimulator({ tokenPolicy: 'strict', ksefTokens: [{ token: 'registered', nip }] });
    try {
      await expect(strict.client.authenticate(nip, 'registered')).resolves.toBeDefined();
      await expect(strict.newClient().authenticate(nip, 'unknown')).rejects.toThrow(/450/);
      await expect(strict.newClient().authenticate(randomNip(), 'registered')).rejects.toThrow(/415/);
      await strict.client.admin('/tokens', { method: 'POST', json: { tokens: [{ token: 'added-later' }] } });
      await expect(strict.newClient().authenticate(randomNip(), 'added-later')).resolves.toBeDefined();
    } finally {
      await strict.running.close();
    }
  });
});
