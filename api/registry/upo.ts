import { createHash } from 'node:crypto';
import { KsefContexts } from '../../activities/ksef-sessions';
import type { Logger } from '../../config/logger';
import type { KsefCertificateCredential } from '../../ksef-client/certificate-credential';
import { readUpo } from '../../fa3/upo';
import type { PrismaClient } from '../../prisma/client';
import { ProblemError } from '../problem';

export interface UpoRequest {
  id: string;
  sellerNip: string;
  ksefNumber: string | null;
  ksefSessionRef: string | null;
  ksefInvoiceRef: string | null;
}

export interface StoredUpo {
  /** Exactly the bytes KSeF sent (the signed legal document). */
  content: Buffer;
  sha256: string;
  ksefHash: string | null;
}

/**
 * An invoice's UPO: fetched from KSeF the first time it is asked for, then kept verbatim (the bytes
 * are the signed receipt; the legal proof must survive KSeF being unreachable or the UPO expiring
 * there). It is read tolerantly (fa3/upo.ts) and never checked against the UPO XSD, which MF's own
 * UPOs fail. A UPO naming another KSeF number is refused rather than filed under this invoice.
 */
export class UpoService {
  private readonly contexts: KsefContexts;

  constructor(
    baseUrl: string,
    tokens: Record<string, string>,
    private readonly logger: Logger,
    private readonly prisma: PrismaClient,
    certificate: KsefCertificateCredential | null = null,
  ) {
    this.contexts = new KsefContexts({ baseUrl, tokens, certificate, timeoutMs: 10_000 }, logger);
  }

  async download(invoice: UpoRequest): Promise<StoredUpo> {
    if (!invoice.ksefNumber || !invoice.ksefSessionRef || !invoice.ksefInvoiceRef) {
      throw new ProblemError(409, 'UPO_NOT_AVAILABLE', 'UPO not available', 'KSeF issues the UPO once it has accepted the invoice; this invoice has no KSeF number yet.');
    }
    const stored = await this.prisma.ksefUpo.findUnique({ where: { registryId: invoice.id } });
    if (stored) return { content: Buffer.from(stored.content), sha256: stored.sha256, ksefHash: stored.ksefHash };

    let fetched: { bytes: Uint8Array; hash?: string };
    try {
      fetched = await this.contexts.client(invoice.sellerNip).downloadInvoiceUpo({
        kind: 'invoiceReference',
        sessionReferenceNumber: invoice.ksefSessionRef,
        invoiceReferenceNumber: invoice.ksefInvoiceRef,
      });
    } catch (error) {
      throw new ProblemError(502, 'KSEF_UPO_UNAVAILABLE', 'KSeF did not return the UPO', `KSeF could not be asked for the UPO right now: ${(error as Error).message}. Try again later.`);
    }
    const content = Buffer.from(fetched.bytes);
    const reading = readUpo(content);
    if (reading.ok && reading.documents.length > 0 && !reading.documents.some((d) => d.ksefNumber === invoice.ksefNumber)) {
      throw new ProblemError(502, 'KSEF_UPO_MISMATCH', 'KSeF returned a UPO for another invoice', `The UPO names ${reading.documents.map((d) => d.ksefNumber).join(', ')}, not ${invoice.ksefNumber}; it was not stored.`);
    }
    if (!reading.ok) this.logger.warn({ registryId: invoice.id, ksefNumber: invoice.ksefNumber, problem: reading.reason }, 'UPO stored verbatim although it could not be read');
    const sha256 = createHash('sha256').update(content).digest('base64');
    const row = {
      registryId: invoice.id,
      ksefNumber: invoice.ksefNumber,
      content,
      sha256,
      ksefHash: fetched.hash ?? null,
      issuerName: reading.ok ? reading.issuerName : null,
      namespace: reading.ok ? reading.namespace : null,
      readProblem: reading.ok ? null : reading.reason,
    };
    // Two concurrent first downloads store one row; both answer with the same bytes KSeF sent.
    await this.prisma.ksefUpo.upsert({ where: { registryId: invoice.id }, create: row, update: {} });
    return { content, sha256, ksefHash: row.ksefHash };
  }
}
