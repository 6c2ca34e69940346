import { randomUUID } from 'node:crypto';
import { nipWithChecksum } from '../../domain/nip';
import { validateInvoiceInput } from '../../domain/validation';
import { PrismaCounterpartyLookup } from '../../prisma/counterparty-repository';
import { counterpartyAuditScheduleId, ensureCounterpartyAuditSchedule } from '../../worker/counterparty-audit-schedule';
import { sampleInvoice } from '../support/invoices';
import { eventually, startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A checksum-valid NIP no other test uses (random 9-digit prefix, retried when no check digit exists). */
function freshNip(): string {
  for (;;) {
    const prefix = `${1 + Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const nip = nipWithChecksum(prefix);
    if (nip && /^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/.test(nip)) return nip;
  }
}
const badChecksum = (nip: string) => nip.slice(0, 9) + String((Number(nip[9]) + 1) % 10);
const tag = () => randomUUID().slice(0, 8);

describe('counterparty master data', () => {
  it('stores one counterparty by its normalised NIP, idempotently, and updates it when data changes', async () => {
    const nip = freshNip();
    const name = `Alfa ${tag()}`;
    const first = await stack.api('/api/v1/counterparties', { body: { nip: `PL ${nip.slice(0, 3)}-${nip.slice(3, 6)}-${nip.slice(6, 8)}-${nip.slice(8)}`, name, vatStatus: 'active' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ result: 'created', counterparty: { identifierKey: `NIP:${nip}`, nip, countryCode: 'PL', vatStatus: 'ACTIVE', active: true, sourceSystem: 'manual' } });
    const again = await stack.api('/api/v1/counterparties', { body: { nip, name, vatStatus: 'ACTIVE' } });
    expect(again.body.result).toBe('unchanged');
    const renamed = await stack.api('/api/v1/counterparties', { body: { nip, name: `${name} S.A.`, vatStatus: 'ACTIVE' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ result: 'updated', counterparty: { id: first.body.counterparty.id, name: `${name} S.A.` } });
  });

  it('refuses a wrong NIP check digit (422) and a malformed row (400) with the field path', async () => {
    const wrong = await stack.api('/api/v1/counterparties', { body: { nip: badChecksum(freshNip()), name: 'Typo' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ path: ['nip'], code: 'NIP_CHECKSUM' })]);
    const malformed = await stack.api('/api/v1/counterparties', { body: { nip: freshNip(), name: '', colour: 'red' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'name']);
  });

  it('imports a JSON array: good rows stored in one go, bad rows reported by row, field and reason; a repeat changes nothing', async () => {
    const [a, b] = [freshNip(), freshNip()];
    const t = tag();
    const rows = [
      { nip: a, name: `A ${t}`, vatStatus: 'ACTIVE' },
      { nip: badChecksum(b), name: `Bad ${t}` },
      { euVatNumber: 'DE 123 456 789', countryCode: 'de', name: `Gmbh ${t}` },
      { euVatNumber: '12345', countryCode: 'FR', name: `Bad FR ${t}` },
      { countryCode: 'GR', euVatNumber: '123456789', name: `Greek ${t}` },
      { name: `No id ${t}` },
      { nip: a, name: `A again ${t}` },
      { otherId: `US-${t}`, countryCode: 'US', name: `Inc ${t}`, active: 'false' },
    ];
    const res = await stack.api('/api/v1/counterparties/import?sourceSystem=erp', { body: rows });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'partial', received: 8, stored: 3, created: 3, rejected: 5 });
    expect(res.body.errors.map((e: { row: number; field: string; code: string }) => `${e.row} ${e.field} ${e.code}`)).toEqual([
      '2 nip NIP_CHECKSUM',
      '4 euVatNumber EU_VAT_ID_FORMAT',
      '5 countryCode EU_VAT_COUNTRY',
      '6 nip COUNTERPARTY_IDENTIFIER_REQUIRED',
      '7 identifier COUNTERPARTY_DUPLICATE_IN_IMPORT',
    ]);
    expect(res.body.errors[0].path).toEqual([2, 'nip']);
    const stored = await stack.prisma.counterparty.findMany({ where: { name: { endsWith: t } }, orderBy: { name: 'asc' } });
    expect(stored.map((s) => [s.identifierKey, s.sourceSystem, s.active])).toEqual([
      [`NIP:${a}`, 'erp', true],
      ['EU_VAT:DE:123456789', 'erp', true],
      [`OTHER:US:US-${t}`, 'erp', false],
    ]);
    const repeat = await stack.api('/api/v1/counterparties/import?sourceSystem=erp', { body: rows });
    expect(repeat.body).toMatchObject({ status: 'partial', created: 0, updated: 0, unchanged: 3, rejected: 5 });
  });

  it('imports CSV (";" from a Polish spreadsheet, quoted values) with line numbers for bad rows; an all-bad import stores nothing (422)', async () => {
    const [a, b] = [freshNip(), freshNip()];
    const t = tag();
    const csv = ['nip;name;addressLine1;vatStatus;active', `${a};"Beta; spółka ""B"" ${t}";ul. Prosta 1;exempt;tak`, `${badChecksum(b)};Zła ${t};;;`, `;Bez NIP ${t};;;`].join('\r\n');
    const res = await stack.api('/api/v1/counterparties/import', { rawBody: csv, contentType: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'partial', stored: 1, rejected: 2 });
    expect(res.body.errors.map((e: { line: number; field: string; code: string }) => `${e.line} ${e.field} ${e.code}`)).toEqual(['3 nip NIP_CHECKSUM', '4 nip COUNTERPARTY_IDENTIFIER_REQUIRED']);
    const row = await stack.prisma.counterparty.findUniqueOrThrow({ where: { identifierKey: `NIP:${a}` } });
    expect(row).toMatchObject({ name: `Beta; spółka "B" ${t}`, vatStatus: 'EXEMPT', active: true, addressLine1: 'ul. Prosta 1' });

    const allBad = await stack.api('/api/v1/counterparties/import', { rawBody: `nip,name\n${badChecksum(freshNip())},X ${t}\n`, contentType: 'text/csv' });
    expect(allBad.status).toBe(422);
    expect(allBad.body.status).toBe('rejected');
    const broken = await stack.api('/api/v1/counterparties/import', { rawBody: 'nip,name\n"123,unclosed\n', contentType: 'text/csv' });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0]).toMatchObject({ code: 'CSV_INVALID', line: 2 });
  });

  it('searches by name fragment, NIP and status', async () => {
    const nip = freshNip();
    const t = tag();
    await stack.api('/api/v1/counterparties', { body: { nip, name: `Gamma Findable ${t}`, active: false } });
    const byName = await stack.api(`/api/v1/counterparties?q=${encodeURIComponent(`findable ${t}`)}`);
    expect(byName.body.items.map((i: { nip: string }) => i.nip)).toEqual([nip]);
    const byNip = await stack.api(`/api/v1/counterparties?nip=${nip}&active=false`);
    expect(byNip.body).toMatchObject({ total: 1, items: [{ name: `Gamma Findable ${t}` }] });
    const bad = await stack.api('/api/v1/counterparties?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toEqual(['limit']);
  });

  it('backs invoice validation: an unknown buyer and an inactive one are warnings from the database register', async () => {
    const nip = freshNip();
    await stack.api('/api/v1/counterparties', { body: { nip, name: `Delta ${tag()}`, active: false } });
    const lookup = new PrismaCounterpartyLookup(stack.prisma);
    const invoice = sampleInvoice({ buyer: { identifier: { type: 'NIP', nip } } });
    const checked = await validateInvoiceInput(invoice, { today: '2026-12-31', counterparties: lookup });
    expect(checked.issues.map((i) => i.code)).toContain('COUNTERPARTY_INACTIVE');
    const unknown = await validateInvoiceInput(sampleInvoice({ buyer: { identifier: { type: 'NIP', nip: freshNip() } } }), { today: '2026-12-31', counterparties: lookup });
    expect(unknown.issues.map((i) => i.code)).toContain('COUNTERPARTY_UNKNOWN');

    // Through the API: the 422 for a broken invoice carries the register's warning next to the error.
    const refused = await stack.api('/api/v1/invoices', { body: { ...invoice, currency: 'EUR' }, as: 'sender' });
    expect(refused.status).toBe(422);
    expect(refused.body.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'COUNTERPARTY_INACTIVE', path: ['buyer', 'identifier', 'nip'] })]));
  });
});

describe('counterparty changes in the audit log, and deactivation', () => {
  it('writes every create, update (with the changed fields) and deactivation with its actor; a repeat writes nothing', async () => {
    const nip = freshNip();
    const name = `Epsilon ${tag()}`;
    const created = await stack.api('/api/v1/counterparties', { body: { nip, name, vatStatus: 'ACTIVE' } });
    expect(created.status).toBe(201);
    const id = created.body.counterparty.id as string;
    expect((await stack.api('/api/v1/counterparties', { body: { nip, name, vatStatus: 'ACTIVE' } })).body.result).toBe('unchanged');
    expect((await stack.api('/api/v1/counterparties', { body: { nip, name: `${name} S.A.`, vatStatus: 'ACTIVE' } })).body.result).toBe('updated');
    const imported = await stack.api('/api/v1/counterparties/import', { body: [{ nip, name: `${name} S.A.`, vatStatus: 'EXEMPT' }] });
    expect(imported.body).toMatchObject({ status: 'complete', updated: 1 });

    const off = await stack.api(`/api/v1/counterparties/${id}/deactivate`, { body: { reason: 'Spółka zlikwidowana' } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ result: 'deactivated', counterparty: { id, active: false, name: `${name} S.A.` } });
    const again = await stack.api(`/api/v1/counterparties/${id}/deactivate`, { method: 'POST' });
    expect(again.body.result).toBe('unchanged');

    const rows = await stack.prisma.auditEvent.findMany({ where: { targetType: 'counterparty', targetId: id }, orderBy: { id: 'asc' } });
    const details = rows.map((r) => r.details as Record<string, any>);
    expect(rows.map((r, i) => [r.action, r.result, details[i].via])).toEqual([
      ['counterparty.create', 'created', 'api'],
      ['counterparty.update', 'updated', 'api'],
      ['counterparty.update', 'updated', 'import'],
      ['counterparty.deactivate', 'deactivated', 'api'],
    ]);
    expect(details[0]).toMatchObject({ identifierKey: `NIP:${nip}`, record: { nip, name, vatStatus: 'ACTIVE', active: true } });
    expect(details[1].changes).toEqual({ name: { from: name, to: `${name} S.A.` } });
    expect(details[2].changes).toEqual({ vatStatus: { from: 'ACTIVE', to: 'EXEMPT' } });
    expect(details[3]).toMatchObject({ reason: 'Spółka zlikwidowana', changes: { active: { from: true, to: false } } });
    expect(rows.every((r) => r.actor === rows[0].actor && r.actor.startsWith('user:'))).toBe(true);
    // Auditors find them through the audit API like any other change.
    const log = await stack.api(`/api/v1/audit?targetType=counterparty&targetId=${id}`, { as: 'monitor' });
    expect(log.status).toBe(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['counterparty.deactivate', 'counterparty.update', 'counterparty.update', 'counterparty.create']);

    // Still in the register (search finds it as inactive), and invoices to it now carry the warning.
    const found = await stack.api(`/api/v1/counterparties?nip=${nip}`);
    expect(found.body.items).toEqual([expect.objectContaining({ id, active: false })]);
    const checked = await validateInvoiceInput(sampleInvoice({ buyer: { identifier: { type: 'NIP', nip } } }), { today: '2026-12-31', counterparties: new PrismaCounterpartyLookup(stack.prisma) });
    expect(checked.issues.map((i) => [i.code, i.field])).toContainEqual(['COUNTERPARTY_INACTIVE', 'buyer.identifier.nip']);
  });

  it('refuses a bad id (400), an unknown one (404), a role that may not manage master data and an API key outside its source system (403)', async () => {
    const bad = await stack.api('/api/v1/counterparties/not-a-uuid/deactivate', { body: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toEqual(['id']);
    const unknown = await stack.api(`/api/v1/counterparties/${randomUUID()}/deactivate`, { body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('COUNTERPARTY_NOT_FOUND');
    const badBody = await stack.api(`/api/v1/counterparties/${randomUUID()}/deactivate`, { body: { reason: 5 } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors[0].path).toEqual(['reason']);

    const manual = await stack.api('/api/v1/counterparties', { body: { nip: freshNip(), name: `Zeta ${tag()}` } });
    const id = manual.body.counterparty.id as string;
    expect((await stack.api(`/api/v1/counterparties/${id}/deactivate`, { body: {}, as: 'monitor' })).status).toBe(403);
    const foreign = await stack.api(`/api/v1/counterparties/${id}/deactivate`, { body: {}, as: 'sender-key' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('KSEFOPS_SCOPE_VIOLATION');
    expect((await stack.prisma.counterparty.findUniqueOrThrow({ where: { id } })).active).toBe(true);
    expect(await stack.prisma.auditEvent.count({ where: { targetType: 'counterparty', targetId: id, action: 'counterparty.deactivate' } })).toBe(0);

    // The key deactivates its own source system's entries.
    const own = await stack.api('/api/v1/counterparties', { body: { nip: freshNip(), name: `Eta ${tag()}` }, as: 'sender-key' });
    const ownOff = await stack.api(`/api/v1/counterparties/${own.body.counterparty.id}/deactivate`, { body: {}, as: 'sender-key' });
    expect(ownOff.body).toMatchObject({ result: 'deactivated', counterparty: { sourceSystem: 'erp', active: false } });
    const keyAudit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { targetType: 'counterparty', targetId: own.body.counterparty.id, action: 'counterparty.deactivate' } });
    expect(keyAudit.actor).toMatch(/^api-key:/);
  });
});

describe('counterparty audit report', () => {
  it('groups every failing counterparty by rule on demand, and the latest run is what GET shows', async () => {
    const t = tag();
    const [ok, inactive, exempt, typo] = [freshNip(), freshNip(), freshNip(), badChecksum(freshNip())];
    // Rows that reached the register past the import's checks (a direct load) must show up too.
    await stack.prisma.counterparty.createMany({
      data: [
        { identifierKey: `NIP:${ok}`, idType: 'NIP', nip: ok, countryCode: 'PL', name: `Ok ${t}`, vatStatus: 'ACTIVE', sourceSystem: 'erp' },
        { identifierKey: `NIP:${inactive}`, idType: 'NIP', nip: inactive, countryCode: 'PL', name: `Closed ${t}`, active: false, sourceSystem: 'erp' },
        { identifierKey: `NIP:${exempt}`, idType: 'NIP', nip: exempt, countryCode: 'PL', name: `Exempt ${t}`, vatStatus: 'EXEMPT', sourceSystem: 'erp' },
        { identifierKey: `NIP:${typo}`, idType: 'NIP', nip: typo, countryCode: 'PL', name: `Typo ${t}`, sourceSystem: 'legacy' },
        { identifierKey: `EU_VAT:FR:${t}`, idType: 'EU_VAT', euVatNumber: '12', countryCode: 'FR', name: `Short FR ${t}`, sourceSystem: 'erp' },
      ],
    });
    const run = await stack.api('/api/v1/reports/counterparties/run', { method: 'POST', as: 'monitor' });
    expect(run.status).toBe(201);
    const mine = (code: string) =>
      run.body.latest.groups.find((g: { code: string }) => g.code === code)?.counterparties.filter((c: { name: string }) => c.name.endsWith(t)).map((c: { name: string; field: string }) => `${c.name.split(' ')[0]} ${c.field}`).sort();
    expect(mine('NIP_CHECKSUM')).toEqual(['Typo nip']);
    expect(mine('EU_VAT_ID_FORMAT')).toEqual(['Short euVatNumber']);
    expect(mine('COUNTERPARTY_INACTIVE')).toEqual(['Closed nip', 'Exempt nip']);
    const group = run.body.latest.groups.find((g: { code: string }) => g.code === 'NIP_CHECKSUM');
    expect(group).toMatchObject({ severity: 'error', message: { en: expect.stringContaining('check digit'), pl: expect.stringContaining('kontroln') } });
    // Errors first: they block invoices, warnings do not.
    const severities = run.body.latest.groups.map((g: { severity: string }) => g.severity);
    expect(severities).toEqual([...severities].sort());
    expect(run.body.latest.trigger).toMatch(/^api:user:/);

    const latest = await stack.api('/api/v1/reports/counterparties', { as: 'monitor' });
    expect(latest.status).toBe(200);
    expect(latest.body.latest.id).toBe(run.body.latest.id);
    expect((await stack.api('/api/v1/reports/counterparties/run', { method: 'POST', as: 'sender' })).status).toBe(403);
  });

  it('runs on a Temporal Schedule created idempotently at start (a second worker start only realigns the interval)', async () => {
    const since = new Date();
    const id = await ensureCounterpartyAuditSchedule(stack.temporal, stack.taskQueue, 2000);
    try {
      expect(await ensureCounterpartyAuditSchedule(stack.temporal, stack.taskQueue, 1500)).toBe(id);
      const described = await stack.temporal.schedule.getHandle(counterpartyAuditScheduleId(stack.taskQueue)).describe();
      expect(described.spec.intervals?.map((i) => Number(i.every))).toEqual([1500]);
      const scheduled = await eventually(() => stack.prisma.counterpartyAuditRun.findFirst({ where: { trigger: 'schedule', startedAt: { gte: since } } }), 30_000, 250);
      expect(scheduled.checked).toBeGreaterThan(0);
    } finally {
      await stack.temporal.schedule.getHandle(id).delete();
    }
  });
});
