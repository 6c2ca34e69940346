/**
 * Attachments and counterparties follow an API key's scope (issue #15, item 4): a key of another
 * source system cannot attach, edit or archive documents of an invoice it cannot read, and every
 * answer it gets looks exactly like the answer for an id that does not exist; every attachment
 * change is written to the audit log; counterparty lists show a key its own source system only.
 */
import { randomUUID } from 'node:crypto';
import { nipWithChecksum } from '../../../domain/nip';
import type { CallAs } from '../../support/auth';
import { SELLER_NIP, sampleInvoice } from '../../support/invoices';
import { startStack, type TestStack } from '../../support/stack';

jest.setTimeout(300000);

let stack: TestStack;
let foreign: { key: string; prefix: string; sourceSystem: string };
let invoiceId: string;
const tag = randomUUID().slice(0, 8);

beforeAll(async () => {
  stack = await startStack();
  // A second source system for the same seller: it may not read the "erp" system's invoices.
  const created = await stack.api('/api/v1/api-keys', { body: { name: `crm ${tag}`, sourceSystem: `crm-${tag}`, sellerNips: [SELLER_NIP] }, as: 'admin' });
  expect(created.status).toBe(201);
  foreign = { key: created.body.key, prefix: created.body.prefix, sourceSystem: created.body.sourceSystem };
  const submitted = await stack.api('/api/v1/invoices', { body: sampleInvoice(), as: 'sender-key' });
  expect(submitted.status).toBe(202);
  invoiceId = submitted.body.id;
});
afterAll(async () => {
  await stack?.stop();
});

const asForeign = (): CallAs => ({ token: foreign.key });

async function upload(as: CallAs, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob(['%PDF-1.7 protokół'], { type: 'application/pdf' }), 'protokol.pdf');
  const res = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor(as) });
  return { status: res.status, body: (await res.json()) as any };
}

/** The answer with the id taken out: what a caller could learn from it besides the id it sent. */
function shape(res: { status: number; body: unknown }, id: string) {
  return { status: res.status, body: JSON.parse(JSON.stringify(res.body).split(id).join('<id>')) };
}

async function auditOf(attachmentId: string) {
  return stack.prisma.auditEvent.findMany({ where: { targetType: 'attachment', targetId: attachmentId }, orderBy: { id: 'asc' } });
}

describe('attachments follow the invoice scope of an API key', () => {
  it('another source system\'s key cannot attach to, list, edit or archive documents of an invoice it cannot read — answered exactly like a missing id', async () => {
    const missingInvoice = randomUUID();
    const document = await upload('sender-key', { invoiceId, owner: 'anna@example.com' });
    expect(document.status).toBe(201);
    const missingDocument = randomUUID();
    const before = await stack.prisma.attachment.count();

    const attach = await upload(asForeign(), { invoiceId });
    const attachMissing = await upload(asForeign(), { invoiceId: missingInvoice });
    expect(attach.status).toBe(422);
    expect(attach.body.code).toBe('INVOICE_NOT_FOUND');
    expect(shape(attach, invoiceId)).toEqual(shape(attachMissing, missingInvoice));

    const list = await stack.api(`/api/v1/invoices/${invoiceId}/attachments`, { as: asForeign() });
    const listMissing = await stack.api(`/api/v1/invoices/${missingInvoice}/attachments`, { as: asForeign() });
    expect(list.status).toBe(404);
    expect(shape(list, invoiceId)).toEqual(shape(listMissing, missingInvoice));

    const edit = await stack.api(`/api/v1/attachments/${document.body.id}`, { method: 'PATCH', body: { owner: 'mallory@example.com' }, as: asForeign() });
    const editMissing = await stack.api(`/api/v1/attachments/${missingDocument}`, { method: 'PATCH', body: { owner: 'mallory@example.com' }, as: asForeign() });
    expect(edit.status).toBe(404);
    expect(edit.body.code).toBe('ATTACHMENT_NOT_FOUND');
    expect(shape(edit, document.body.id)).toEqual(shape(editMissing, missingDocument));

    const archive = await stack.api(`/api/v1/attachments/${document.body.id}/archive`, { body: {}, as: asForeign() });
    const archiveMissing = await stack.api(`/api/v1/attachments/${missingDocument}/archive`, { body: {}, as: asForeign() });
    expect(archive.status).toBe(404);
    expect(shape(archive, document.body.id)).toEqual(shape(archiveMissing, missingDocument));

    const download = await stack.api(`/api/v1/attachments/${document.body.id}/content`, { as: asForeign() });
    const downloadMissing = await stack.api(`/api/v1/attachments/${missingDocument}/content`, { as: asForeign() });
    expect(download.status).toBeGreaterThanOrEqual(400);
    expect(shape(download, document.body.id)).toEqual(shape(downloadMissing, missingDocument));

    // Its own unlinked document cannot be moved onto the invoice either.
    const own = await upload(asForeign());
    expect(own.status).toBe(201);
    const relink = await stack.api(`/api/v1/attachments/${own.body.id}`, { method: 'PATCH', body: { invoiceId }, as: asForeign() });
    const relinkMissing = await stack.api(`/api/v1/attachments/${own.body.id}`, { method: 'PATCH', body: { invoiceId: missingInvoice }, as: asForeign() });
    expect(relink.status).toBe(422);
    expect(shape(relink, invoiceId)).toEqual(shape(relinkMissing, missingInvoice));

    // Nothing changed: the only new document is the key's own unlinked one.
    expect(await stack.prisma.attachment.count()).toBe(before + 1);
    const after = await stack.prisma.attachment.findUniqueOrThrow({ where: { id: document.body.id } });
    expect(after).toMatchObject({ owner: 'anna@example.com', archivedAt: null });
    expect((await stack.prisma.attachment.findUniqueOrThrow({ where: { id: own.body.id } })).invoiceId).toBeNull();
    expect((await auditOf(document.body.id)).map((e) => e.action)).toEqual(['attachment.create']);

    // The invoice's own source system keeps working on it.
    const ownerEdit = await stack.api(`/api/v1/attachments/${document.body.id}`, { method: 'PATCH', body: { owner: 'jan@example.com' }, as: 'sender-key' });
    expect(ownerEdit.status).toBe(200);
    const listed = await stack.api(`/api/v1/invoices/${invoiceId}/attachments`, { as: 'sender-key' });
    expect(listed.body.items.map((a: { id: string }) => a.id)).toEqual([document.body.id]);
  });

  it('every attachment create, edit and archive is in the audit log with actor, action, target and result', async () => {
    const created = await upload('sender-key', { invoiceId, dueDate: '2099-12-31' });
    expect(created.status).toBe(201);
    const edited = await stack.api(`/api/v1/attachments/${created.body.id}`, { method: 'PATCH', body: { owner: 'ewa@example.com', dueDate: null }, as: 'corrector' });
    expect(edited.status).toBe(200);
    const archived = await stack.api(`/api/v1/attachments/${created.body.id}/archive`, { body: {}, as: 'corrector' });
    expect(archived.status).toBe(200);
    const again = await stack.api(`/api/v1/attachments/${created.body.id}/archive`, { body: {}, as: 'corrector' });
    expect(again.status).toBe(200);

    const rows = await auditOf(created.body.id);
    const key = `api-key:${(await stack.prisma.apiKey.findFirstOrThrow({ where: { sourceSystem: 'erp', name: `test sender ${stack.auth.tag}` } })).prefix}`;
    const corrector = `user:${stack.auth.users.corrector.id}`;
    expect(rows.map((r) => [r.actor, r.action, r.result])).toEqual([
      [key, 'attachment.create', 'created'],
      [corrector, 'attachment.update', 'updated'],
      // The second archive changed nothing and wrote nothing.
      [corrector, 'attachment.archive', 'archived'],
    ]);
    expect(rows[0].details).toMatchObject({ invoiceId, name: 'protokol.pdf', sha256: created.body.sha256, dueDate: '2099-12-31T23:59:59.000Z' });
    expect(rows[1].details).toMatchObject({ changes: { owner: { from: null, to: 'ewa@example.com' }, dueDate: { from: '2099-12-31T23:59:59.000Z', to: null } } });
  });
});

describe('counterparty lists follow the key', () => {
  function freshNip(): string {
    for (;;) {
      const nip = nipWithChecksum(`${1 + Math.floor(Math.random() * 9)}${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`);
      if (nip && /^[1-9]((\d[1-9])|([1-9]\d))\d{7}$/.test(nip)) return nip;
    }
  }

  it('a key lists its own source system\'s counterparties only; people see all', async () => {
    const erpNip = freshNip();
    const crmNip = freshNip();
    expect((await stack.api('/api/v1/counterparties', { body: { nip: erpNip, name: `Erp Buyer ${tag}` }, as: 'sender-key' })).status).toBe(201);
    expect((await stack.api('/api/v1/counterparties', { body: { nip: crmNip, name: `Crm Buyer ${tag}` }, as: asForeign() })).status).toBe(201);

    const mine = await stack.api(`/api/v1/counterparties?q=${tag}`, { as: asForeign() });
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((c: { nip: string }) => c.nip)).toEqual([crmNip]);
    expect(mine.body.total).toBe(1);
    const all = await stack.api('/api/v1/counterparties?limit=200', { as: asForeign() });
    expect(all.body.items.every((c: { sourceSystem: string }) => c.sourceSystem === foreign.sourceSystem)).toBe(true);
    const byNip = await stack.api(`/api/v1/counterparties?nip=${erpNip}`, { as: asForeign() });
    expect(byNip.body).toMatchObject({ total: 0, items: [] });

    const erp = await stack.api(`/api/v1/counterparties?q=${tag}`, { as: 'sender-key' });
    expect(erp.body.items.map((c: { nip: string }) => c.nip)).toEqual([erpNip]);
    const person = await stack.api(`/api/v1/counterparties?q=${tag}`, { as: 'monitor' });
    expect(person.body.items.map((c: { nip: string }) => c.nip).sort()).toEqual([crmNip, erpNip].sort());
  });

  it('a key cannot take over or rewrite another source system\'s entry by sending its identifier', async () => {
    const erpNip = freshNip();
    const created = await stack.api('/api/v1/counterparties', { body: { nip: erpNip, name: `Original ${tag}`, vatStatus: 'ACTIVE' }, as: 'sender-key' });
    expect(created.status).toBe(201);

    const takeover = await stack.api('/api/v1/counterparties', { body: { nip: erpNip, name: `Hijacked ${tag}`, vatStatus: 'REMOVED' }, as: asForeign() });
    expect(takeover.status).toBe(403);
    expect(takeover.body.code).toBe('KSEFOPS_SCOPE_VIOLATION');
    // Nothing of the other system's entry is shown.
    expect(JSON.stringify(takeover.body)).not.toContain('Original');

    const newNip = freshNip();
    const imported = await stack.api('/api/v1/counterparties/import', { body: [{ nip: erpNip, name: `Hijacked ${tag}` }, { nip: newNip, name: `Crm New ${tag}` }], as: asForeign() });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ status: 'partial', stored: 1, created: 1, rejected: 1 });
    expect(imported.body.rows[0]).toMatchObject({ row: 1, result: 'rejected', errors: [expect.objectContaining({ code: 'KSEFOPS_SCOPE_VIOLATION', field: 'identifier' })] });

    const entry = await stack.prisma.counterparty.findUniqueOrThrow({ where: { identifierKey: `NIP:${erpNip}` } });
    expect(entry).toMatchObject({ sourceSystem: 'erp', name: `Original ${tag}`, vatStatus: 'ACTIVE' });
    expect(await stack.prisma.auditEvent.count({ where: { targetType: 'counterparty', targetId: entry.id } })).toBe(1);
    expect((await stack.prisma.counterparty.findUniqueOrThrow({ where: { identifierKey: `NIP:${newNip}` } })).sourceSystem).toBe(foreign.sourceSystem);
  });
});
