/**
 * Who may send whose invoice (CIRFMF/ksef-docs uprawnienia.md, kody-qr.md "Przykład 3"; invoice
 * status 410 "Nieprawidłowy zakres uprawnień"): the simulator refuses a seller's invoice sent in
 * another context unless the seller granted that context SelfInvoicing (self-billing, P_17=1) or
 * TaxRepresentative; authenticating for a NIP with a wrong checksum is refused. `permissive: true`
 * keeps the old behaviour. On the real stack a 410 reaches triage with a reason naming seller and
 * context in Polish and English.
 */
import { http, startSimulator, type StartedSimulator } from './simulator-support/client';
import { basicInvoice, randomNip } from './simulator-support/fixtures';
import { describeAuthFailure } from '../../ksef-client/rejection-reasons';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

const selfBilling = (xml: string) => xml.replace('<P_17>2</P_17>', '<P_17>1</P_17>');

describe('KSeF simulator: permissions (strict by default)', () => {
  let sim: StartedSimulator;
  const sellerA = randomNip();
  const contextB = randomNip();
  let n = 0;

  beforeAll(async () => {
    sim = await startSimulator({ rateLimits: 'off' });
  });
  afterAll(() => sim.running.close());

  async function sendIn(context: string, xml: string) {
    const client = sim.newClient();
    await client.authenticate(context);
    const session = await client.openOnlineSession();
    return client.waitForInvoice(session.referenceNumber, await client.sendInvoice(session, xml));
  }
  const grants = (method: 'POST' | 'DELETE', list: unknown[]) => sim.client.admin('/permissions', { method, json: { grants: list } });

  it('the seller in its own context: accepted', async () => {
    expect((await sendIn(sellerA, basicInvoice(sellerA, `FV/P/${++n}`, contextB))).status.code).toBe(200);
  });

  it("seller A's invoice sent in context B without a grant: 410 naming both", async () => {
    const status = await sendIn(contextB, basicInvoice(sellerA, `FV/P/${++n}`, '1111111111'));
    expect(status.status.code).toBe(410);
    expect(status.status.description).toBe('Nieprawidłowy zakres uprawnień');
    expect(status.status.details.join(' ')).toContain(sellerA);
    expect(status.status.details.join(' ')).toContain(contextB);
    expect(status.ksefNumber).toBeNull();
  });

  it('self-billing (P_17=1) by the buyer B: 410 without SelfInvoicing from A, 200 with it, 410 again once revoked', async () => {
    const invoice = () => selfBilling(basicInvoice(sellerA, `FV/SB/${++n}`, contextB));
    const refused = await sendIn(contextB, invoice());
    expect(refused.status.code).toBe(410);
    expect(refused.status.details.join(' ')).toContain('SelfInvoicing');

    const grant = { grantorNip: sellerA, granteeNip: contextB, permission: 'SelfInvoicing' };
    expect((await grants('POST', [grant])).body.grants).toContainEqual(grant);
    expect((await sendIn(contextB, invoice())).status.code).toBe(200);
    // The grant covers self-billing only: an ordinary invoice of A in B's context is still refused.
    expect((await sendIn(contextB, basicInvoice(sellerA, `FV/P/${++n}`, contextB))).status.code).toBe(410);

    await grants('DELETE', [grant]);
    expect((await sendIn(contextB, invoice())).status.code).toBe(410);
  });

  it('a tax representative (TaxRepresentative from A) may send A\'s invoices in its own context', async () => {
    const representative = randomNip();
    await grants('POST', [{ grantorNip: sellerA, granteeNip: representative, permission: 'TaxRepresentative' }]);
    expect((await sendIn(representative, basicInvoice(sellerA, `FV/TR/${++n}`))).status.code).toBe(200);
  });

  it('authenticating for a NIP with a wrong checksum: 400 21405 before any auth operation', async () => {
    const bad = `${sellerA.slice(0, 9)}${(Number(sellerA[9]) + 1) % 10}`;
    const error = await sim.newClient().authenticate(bad).catch((e: Error) => e);
    expect(String(error)).toMatch(/ksef-token failed 400/);
    expect(String(error)).toContain('21405');
    expect(String(error)).toContain('suma kontrolna');
  });

  it('a KSeF token registered for NIP A authenticates only for A (auth status 415 for B), also under the default token policy', async () => {
    await sim.client.admin('/tokens', { method: 'POST', json: { tokens: [{ token: 'token-of-a', nip: sellerA }] } });
    await expect(sim.newClient().authenticate(sellerA, 'token-of-a')).resolves.toBeDefined();
    await expect(sim.newClient().authenticate(contextB, 'token-of-a')).rejects.toThrow(/authentication ended with 415/);
    const old = await startSimulator({ rateLimits: 'off', permissive: true, ksefTokens: [{ token: 'token-of-a', nip: sellerA }] });
    try {
      await expect(old.newClient().authenticate(contextB, 'token-of-a')).resolves.toBeDefined();
    } finally {
      await old.running.close();
    }
  });

  it('a token without InvoiceWrite authenticates but may not open a session: 403 missing-permissions with the required and present lists', async () => {
    await sim.client.admin('/token-permissions', { method: 'POST', json: { tokens: [{ token: 'read-only', permissions: ['InvoiceRead'] }, { token: 'writer', permissions: ['InvoiceWrite'] }] } });
    const reader = sim.newClient();
    await reader.authenticate(sellerA, 'read-only');
    const refused = await reader.openOnlineSession().catch((e: Error) => e.message);
    expect(refused).toMatch(/^open session failed 403 /);
    const problem = JSON.parse(String(refused).replace(/^open session failed 403 /, ''));
    expect(problem).toMatchObject({ status: 403, reasonCode: 'missing-permissions', security: { presentPermissions: ['InvoiceRead'] } });
    expect(problem.security.requiredAnyOfPermissions).toContain('InvoiceWrite');
    const writer = sim.newClient();
    await writer.authenticate(sellerA, 'writer');
    await expect(writer.openOnlineSession()).resolves.toMatchObject({ referenceNumber: expect.stringMatching(/-SO-/) });
  });

  it('/_sim/permissions refuses a malformed grant (400, field named)', async () => {
    const res = await grants('POST', [{ grantorNip: '12', granteeNip: contextB, permission: 'InvoiceWrite' }]);
    expect(res.status).toBe(400);
    expect(res.body.issues.join()).toMatch(/grantorNip/);
    expect(res.body.issues.join()).toMatch(/permission/);
  });

  it('permissive: the pre-permission world — any seller in any context, any NIP at auth', async () => {
    const old = await startSimulator({ rateLimits: 'off', permissive: true });
    try {
      const client = old.newClient();
      await client.authenticate('1234567890');
      const session = await client.openOnlineSession();
      const status = await client.waitForInvoice(session.referenceNumber, await client.sendInvoice(session, basicInvoice(sellerA, 'FV/PERMISSIVE/1')));
      expect(status.status.code).toBe(200);
      expect((await http(`${old.running.rootUrl}/_sim/permissions`)).body.permissive).toBe(true);
    } finally {
      await old.running.close();
    }
  });
});

describe('product: a KSeF permission refusal reaches triage with a human reason', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ lifecycle: { triageSlaMs: 60_000 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('invoice status 410 → REJECTED, reason names seller and context (PL/EN) and keeps KSeF\'s words', async () => {
    // The product always sends in the seller's own context, so the simulator's model cannot refuse it;
    // KSeF can (a token without the right in that context): the refusal is injected as KSeF reports it.
    await fetch(`${stack.simulatorRootUrl}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rejectInvoices: { count: 1, code: 410, description: 'Nieprawidłowy zakres uprawnień' } }),
    });
    const res = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    expect(res.status).toBe(202);
    const row = await eventually(async () => {
      const r = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
      return r.status === 'REJECTED' ? r : undefined;
    }, 60_000);
    const shown = await stack.api(`/api/v1/invoices/${res.body.id}`);
    const seller = shown.body.sellerNip as string;
    expect(seller).toMatch(/^\d{10}$/);
    const reason = shown.body.rejectionReason as string;
    expect(shown.body.rejectionCode).toBe('KSEF_410');
    expect(reason).toContain(`Brak uprawnień do wystawiania faktur dla NIP ${seller} w kontekście ${seller}`);
    expect(reason).toContain(`No permission to issue invoices for NIP ${seller} in context ${seller}`);
    expect(reason).toContain('KSeF 410: Nieprawidłowy zakres uprawnień');
    expect(row.status).toBe('REJECTED');
  });

  it('a credential without InvoiceWrite: no retries, triage at once as KSEF_PERMISSION_DENIED naming the context (PL/EN)', async () => {
    // The stack's token for every seller is 'test-token'; a seller not used before authenticates afresh with the reduced list.
    await fetch(`${stack.simulatorRootUrl}/_sim/token-permissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tokens: [{ token: 'test-token', permissions: ['InvoiceRead'] }] }),
    });
    const seller = '7770001111';
    const invoice = sampleInvoice({ seller: { ...sampleInvoice().seller, nip: seller } });
    const res = await stack.api('/api/v1/invoices', { body: invoice });
    expect(res.status).toBe(202);
    const row = await eventually(async () => {
      const r = await stack.prisma.invoice.findUniqueOrThrow({ where: { id: res.body.id } });
      return r.status === 'NEEDS_FIX' ? r : undefined;
    }, 60_000);
    const shown = await stack.api(`/api/v1/invoices/${row.id}`);
    expect(shown.body.rejectionCode).toBe('KSEF_PERMISSION_DENIED');
    expect(shown.body.rejectionReason).toContain(`nie ma uprawnienia do wysyłania faktur w kontekście NIP ${seller}`);
    expect(shown.body.rejectionReason).toContain(`may not send invoices in context NIP ${seller}`);
    expect(shown.body.attempts).toBe(1);
  });

  it('an authentication refused for missing permissions (415) or a bad token (450) reads as an action', () => {
    expect(describeAuthFailure(415, '5260001246', 'auth X ended with status 415')).toContain('nie ma uprawnień w kontekście NIP 5260001246');
    expect(describeAuthFailure(450, null, 'auth X ended with status 450')).toContain('generate a new token');
    expect(describeAuthFailure(500, null, 'x')).toBeNull();
  });
});
