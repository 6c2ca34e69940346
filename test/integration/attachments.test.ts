/**
 * Attachments over HTTP on the real stack: multipart upload streamed to the storage with a SHA-256,
 * size and content-type limits, link to an invoice, search (invoice, owner, name, archived,
 * overdue), download, archive.
 */
import { createHash } from 'node:crypto';
import { sampleInvoice } from '../support/invoices';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function upload(name: string, type: string, content: Buffer | string, fields: Record<string, string> = {}, as?: 'monitor' | 'sender-key') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([content], { type }), name);
  const res = await fetch(`${stack.apiUrl}/api/v1/attachments`, { method: 'POST', body: form, headers: await stack.auth.headersFor(as) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('attachments', () => {
  it('uploads, links to an invoice, searches, downloads and archives', async () => {
    const submitted = await stack.api('/api/v1/invoices', { body: sampleInvoice() });
    const invoiceId = submitted.body.id as string;
    const pdf = Buffer.from('%PDF-1.7\n% protokół odbioru\n');
    const owner = `anna.${Date.now()}@example.com`;
    const past = '2026-01-15';

    const first = await upload('protokol-odbioru.pdf', 'application/pdf', pdf, { invoiceId, owner, dueDate: past });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ invoiceId, name: 'protokol-odbioru.pdf', contentType: 'application/pdf', size: pdf.length, owner, overdue: true, archived: false });
    expect(first.body.sha256).toBe(createHash('sha256').update(pdf).digest('base64'));

    const second = await upload('umowa.txt', 'text/plain', 'Umowa ramowa', { owner });
    expect(second.status).toBe(201);
    expect(second.body.invoiceId).toBeNull();
    const linked = await stack.api(`/api/v1/attachments/${second.body.id}`, { method: 'PATCH', body: { invoiceId, dueDate: '2099-12-31' } });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({ invoiceId, overdue: false });

    const ofInvoice = await stack.api(`/api/v1/invoices/${invoiceId}/attachments`);
    expect(ofInvoice.body.items.map((a: { name: string }) => a.name)).toEqual(['protokol-odbioru.pdf', 'umowa.txt']);
    const byOwner = await stack.api(`/api/v1/attachments?owner=${encodeURIComponent(owner)}`);
    expect(byOwner.body.items).toHaveLength(2);
    const byName = await stack.api(`/api/v1/attachments?owner=${encodeURIComponent(owner)}&name=PROTOKOL`);
    expect(byName.body.items.map((a: { id: string }) => a.id)).toEqual([first.body.id]);
    const overdue = await stack.api(`/api/v1/attachments?owner=${encodeURIComponent(owner)}&overdue=true`);
    expect(overdue.body.items.map((a: { id: string }) => a.id)).toEqual([first.body.id]);

    const content = await fetch(`${stack.apiUrl}/api/v1/attachments/${first.body.id}/content`, { headers: await stack.auth.headersFor() });
    expect(content.headers.get('content-type')).toContain('application/pdf');
    expect(Buffer.from(await content.arrayBuffer()).equals(pdf)).toBe(true);
    expect(content.headers.get('x-content-sha256')).toBe(first.body.sha256);

    const archived = await stack.api(`/api/v1/attachments/${first.body.id}/archive`, { body: {} });
    expect(archived.body).toMatchObject({ archived: true, overdue: false });
    expect(archived.body.archivedBy).toMatch(/^user:/);
    const open = await stack.api(`/api/v1/attachments?owner=${encodeURIComponent(owner)}&archived=false`);
    expect(open.body.items.map((a: { id: string }) => a.id)).toEqual([second.body.id]);
    const stillOverdue = await stack.api(`/api/v1/attachments?owner=${encodeURIComponent(owner)}&overdue=true`);
    expect(stillOverdue.body.items).toEqual([]);

    // The registry's invoice detail lists both, the archived one flagged, each with its download link.
    const detail = await stack.api(`/api/v1/invoices/${invoiceId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.attachments).toEqual([
      { id: first.body.id, name: 'protokol-odbioru.pdf', contentType: 'application/pdf', size: pdf.length, owner, dueDate: '2026-01-15T23:59:59.000Z', overdue: false, archived: true, createdAt: first.body.createdAt, contentUrl: `/api/v1/attachments/${first.body.id}/content` },
      { id: second.body.id, name: 'umowa.txt', contentType: 'text/plain', size: 12, owner, dueDate: '2099-12-31T23:59:59.000Z', overdue: false, archived: false, createdAt: second.body.createdAt, contentUrl: `/api/v1/attachments/${second.body.id}/content` },
    ]);
    const download = await fetch(`${stack.apiUrl}${detail.body.attachments[1].contentUrl}`, { headers: await stack.auth.headersFor() });
    expect(await download.text()).toBe('Umowa ramowa');
  });

  it('refuses what the limits and the model do not allow, with problem+json field paths', async () => {
    const exe = await upload('tool.exe', 'application/x-msdownload', 'MZ');
    expect(exe.status).toBe(415);
    expect(exe.body).toMatchObject({ code: 'ATTACHMENT_TYPE_NOT_ALLOWED', errors: [{ path: ['file'] }] });

    const big = await upload('big.pdf', 'application/pdf', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('ATTACHMENT_TOO_LARGE');

    const badField = await upload('a.txt', 'text/plain', 'x', { dueDate: 'tomorrow' });
    expect(badField.status).toBe(400);
    expect(badField.body.errors[0].path).toEqual(['dueDate']);

    const unknownInvoice = await upload('a.txt', 'text/plain', 'x', { invoiceId: '00000000-0000-5000-8000-000000000000' });
    expect(unknownInvoice.status).toBe(422);
    expect(unknownInvoice.body.errors[0].path).toEqual(['invoiceId']);

    const json = await stack.api('/api/v1/attachments', { body: { name: 'x' } });
    expect(json.status).toBe(415);
    const monitor = await upload('a.txt', 'text/plain', 'x', {}, 'monitor');
    expect(monitor.status).toBe(403);
    const source = await upload('dowod-dostawy.pdf', 'application/pdf', '%PDF-1.7', {}, 'sender-key');
    expect(source.status).toBe(201);
    expect(source.body.uploadedBy).toMatch(/^api-key:/);
  });
});
