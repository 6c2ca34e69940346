import { zipSync } from 'fflate';
import { http, startSimulator, type StartedSimulator } from './simulator-support/client';
import { openBatch, uploadAndClose, uploadParts } from './simulator-support/batch';
import { basicInvoice, randomNip } from './simulator-support/fixtures';
import { expectConforms } from './simulator-support/openapi';
import { finalizeSessionsIfSettled } from '../../ksef-simulator/session-lifecycle';

describe('KSeF simulator: batch session', () => {
  let sim: StartedSimulator;
  const seller = randomNip();

  beforeAll(async () => {
    sim = await startSimulator({ upoPageSize: 20 });
    await sim.client.authenticate(seller);
  });
  afterAll(() => sim.running.close());

  function zipOf(count: number, prefix: string, extra: Record<string, Buffer> = {}): Buffer {
    const files: Record<string, Uint8Array> = { ...extra };
    for (let i = 1; i <= count; i++) files[`faktura-${i}.xml`] = Buffer.from(basicInvoice(seller, `${prefix}/${i}`));
    return Buffer.from(zipSync(files));
  }

  it('processes a zip of 45 invoices split into 3 encrypted parts, one bad invoice among them', async () => {
    const broken = Buffer.from(basicInvoice(seller, 'FV/BATCH/BROKEN').replace(/<P_15>[^<]*<\/P_15>/, '<P_15>x</P_15>'));
    const batch = await openBatch(sim.client, zipOf(45, 'FV/BATCH', { 'broken.xml': broken }), 3);
    expect(batch.status).toBe(201);
    expect(batch.body.partUploadRequests).toHaveLength(3);
    expectConforms('POST', '/sessions/batch', 201, batch.body);
    expect(batch.body.partUploadRequests[0].url).toContain('/upload/');
    await uploadAndClose(sim.client, batch);

    const done = await sim.client.waitForSession(batch.referenceNumber);
    expect(done.status.code).toBe(200);
    expect(done.invoiceCount).toBe(46);
    expect(done.successfulInvoiceCount).toBe(45);
    expect(done.failedInvoiceCount).toBe(1);
    // 45 accepted invoices, 20 per UPO page
    expect(done.upo.pages).toHaveLength(3);
    expectConforms('GET', '/sessions/{referenceNumber}', 200, done);
    const lastPage = await fetch(done.upo.pages[2].downloadUrl);
    const xml = await lastPage.text();
    expect(xml).toContain('<Strona>3</Strona>');
    expect((xml.match(/<Dokument>/g) ?? []).length).toBe(5);

    const failed = await http(`${sim.running.url}/sessions/${batch.referenceNumber}/invoices/failed`, { token: sim.client.accessToken });
    expect(failed.body.invoices).toHaveLength(1);
    expect(failed.body.invoices[0].invoiceFileName).toBe('broken.xml');
    expect(failed.body.invoices[0].status.code).toBe(430);

    const page1 = await http(`${sim.running.url}/sessions/${batch.referenceNumber}/invoices?pageSize=40`, { token: sim.client.accessToken });
    expect(page1.body.invoices).toHaveLength(40);
    expect(page1.body.continuationToken).toBeTruthy();
    const page2 = await http(`${sim.running.url}/sessions/${batch.referenceNumber}/invoices?pageSize=40`, {
      token: sim.client.accessToken,
      headers: { 'x-continuation-token': page1.body.continuationToken },
    });
    expect(page2.body.invoices).toHaveLength(6);
    expect(page2.body.continuationToken).toBeNull();
  });

  it('a batch closed while another session of the context settles is processed, not cancelled as empty', async () => {
    // Found by the bench (several sellers): an online session's last invoice settled between a batch
    // session's close and the unpacking of its package, and the batch was judged empty (440). The real
    // simulator runs here; only the order of its two timers is forced to that case.
    const ctx = sim.simulator.context;
    const schedule = ctx.schedule.bind(ctx);
    ctx.schedule = (run, delayMs) =>
      schedule(
        delayMs === 0
          ? () => {
              finalizeSessionsIfSettled(ctx);
              run();
            }
          : run,
        delayMs,
      );
    try {
      const batch = await openBatch(sim.client, zipOf(3, 'FV/RACE'), 1);
      await uploadAndClose(sim.client, batch);
      const done = await sim.client.waitForSession(batch.referenceNumber);
      expect(done.status.code).toBe(200);
      expect(done.successfulInvoiceCount).toBe(3);
    } finally {
      ctx.schedule = schedule;
    }
  });

  it('a batch re-sending the same invoices yields 440 for each (nothing accepted twice)', async () => {
    const batch = await openBatch(sim.client, zipOf(5, 'FV/BATCH'), 1);
    await uploadAndClose(sim.client, batch);
    const done = await sim.client.waitForSession(batch.referenceNumber);
    expect(done.status.code).toBe(445);
    const ledger = await sim.client.admin('/ledger?sellerNip=' + seller);
    const numbers = ledger.body.accepted.map((e: any) => e.invoiceNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('close before every part is uploaded → 21205; part uploads need no bearer but a valid signature', async () => {
    const batch = await openBatch(sim.client, zipOf(3, 'FV/PARTIAL'), 2);
    expect(await uploadParts(batch, [2])).toEqual([201]);
    const close = await http(`${sim.running.url}/sessions/batch/${batch.referenceNumber}/close`, { method: 'POST', token: sim.client.accessToken });
    expect(close.status).toBe(400);
    expect(close.body.exception.exceptionDetailList[0].exceptionCode).toBe(21205);
    const forged = await http(batch.body.partUploadRequests[1].url.replace(/sig=[^&]+/, 'sig=forged'), { method: 'PUT', body: batch.encryptedParts[1] });
    expect(forged.status).toBe(401);
  });

  it('more parts than allowed → 21161', async () => {
    const small = await startSimulator({ maxBatchParts: 2 });
    try {
      await small.client.authenticate(seller);
      const batch = await openBatch(small.client, zipOf(3, 'FV/PARTS'), 3);
      expect(batch.status).toBe(400);
      expect(batch.body.exception.exceptionDetailList[0].exceptionCode).toBe(21161);
    } finally {
      await small.running.close();
    }
  });

  it('more invoices than the session limit → session status 420', async () => {
    const small = await startSimulator({ maxInvoicesPerSession: 3 });
    try {
      await small.client.authenticate(seller);
      const batch = await openBatch(small.client, zipOf(4, 'FV/LIMIT'), 1);
      await uploadAndClose(small.client, batch);
      expect((await small.client.waitForSession(batch.referenceNumber)).status.code).toBe(420);
    } finally {
      await small.running.close();
    }
  });
});
