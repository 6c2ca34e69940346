import { KsefContexts } from '../../activities/ksef-sessions';
import type { Logger } from '../../config/logger';
import { ProblemError } from '../problem';

export interface UpoRequest {
  sellerNip: string;
  ksefNumber: string | null;
  ksefSessionRef: string | null;
  ksefInvoiceRef: string | null;
}

/**
 * Fetches an invoice's UPO from KSeF on demand (KSeF keeps it; storing a copy would be a second
 * source of truth). Uses the same per-seller token map as the worker.
 */
export class UpoService {
  private readonly contexts: KsefContexts;

  constructor(baseUrl: string, tokens: Record<string, string>, logger: Logger) {
    this.contexts = new KsefContexts({ baseUrl, tokens, timeoutMs: 10_000 }, logger);
  }

  async download(invoice: UpoRequest): Promise<{ xml: string; hash?: string }> {
    if (!invoice.ksefNumber || !invoice.ksefSessionRef || !invoice.ksefInvoiceRef) {
      throw new ProblemError(409, 'UPO_NOT_AVAILABLE', 'UPO not available', 'KSeF issues the UPO once it has accepted the invoice; this invoice has no KSeF number yet.');
    }
    try {
      return await this.contexts.client(invoice.sellerNip).downloadInvoiceUpo({
        kind: 'invoiceReference',
        sessionReferenceNumber: invoice.ksefSessionRef,
        invoiceReferenceNumber: invoice.ksefInvoiceRef,
      });
    } catch (error) {
      throw new ProblemError(502, 'KSEF_UPO_UNAVAILABLE', 'KSeF did not return the UPO', `KSeF could not be asked for the UPO right now: ${(error as Error).message}. Try again later.`);
    }
  }
}
