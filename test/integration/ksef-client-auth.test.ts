import { KsefAuthError } from '../../ksef-client';
import type { RunningSimulator } from '../../ksef-simulator/app';
import { admin, clientFor, randomNip, startSimulator } from './ksef-client-helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KSeF-token authentication against the simulator', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    // Short-lived access tokens so refresh happens within the test; auth stays "in progress" for a while.
    sim = await startSimulator({ rateLimits: 'off', accessTokenTtlMs: 2_000, authDelayMs: 150 });
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('polls the auth operation until 200 and redeems access + refresh tokens', async () => {
    const client = clientFor(sim, randomNip(), { auth: { pollIntervalMs: 30 } });
    const session = await client.authenticate();
    expect(session.referenceNumber).toMatch(/^\d{8}-AU-/);
    expect(session.accessToken.token).toBeTruthy();
    expect(Date.parse(session.refreshToken.validUntil)).toBeGreaterThan(Date.parse(session.accessToken.validUntil));
  });

  it('refreshes the access token before it expires, keeping the same authentication', async () => {
    const client = clientFor(sim, randomNip(), { auth: { refreshMarginMs: 1_500, pollIntervalMs: 30 } });
    const first = await client.authenticate();
    await client.openOnlineSession();
    await sleep(700); // now inside the 1.5 s margin of a 2 s token
    await client.openOnlineSession();
    const after = client.authSession!;
    expect(after.accessToken.token).not.toBe(first.accessToken.token);
    expect(after.referenceNumber).toBe(first.referenceNumber);
    expect(after.refreshToken.token).toBe(first.refreshToken.token);
  });

  it('authenticates again when the refresh token is no longer accepted', async () => {
    const client = clientFor(sim, randomNip(), { auth: { refreshMarginMs: 1_500, pollIntervalMs: 30 } });
    const first = await client.authenticate();
    // Forgets every auth operation server-side, so the refresh token is refused (21301).
    await admin(sim, 'POST', '/reset');
    await sleep(700);
    const session = await client.openOnlineSession();
    expect(session.referenceNumber).toMatch(/-SO-/);
    expect(client.authSession!.referenceNumber).not.toBe(first.referenceNumber);
  });

  it('shares one authentication between concurrent first calls', async () => {
    const client = clientFor(sim, randomNip(), { auth: { pollIntervalMs: 30 } });
    const tokens = await Promise.all([client.getAccessToken(), client.getAccessToken(), client.getAccessToken()]);
    expect(new Set(tokens).size).toBe(1);
  });

  it('fails with a typed KsefAuthError when KSeF rejects the token (status 450)', async () => {
    const strict = await startSimulator({ rateLimits: 'off', tokenPolicy: 'strict', ksefTokens: [{ token: 'the-only-valid-token' }] });
    try {
      const client = clientFor(strict, randomNip(), { ksefToken: 'wrong-token', auth: { pollIntervalMs: 30 } });
      const error = await client.authenticate().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KsefAuthError);
      expect(error).toMatchObject({ code: 'KSEF_AUTH_FAILED', statusCode: 450, retryable: false });
      const ok = clientFor(strict, randomNip(), { ksefToken: 'the-only-valid-token', auth: { pollIntervalMs: 30 } });
      await expect(ok.authenticate()).resolves.toMatchObject({ referenceNumber: expect.stringMatching(/-AU-/) });
    } finally {
      await strict.close();
    }
  });
});
