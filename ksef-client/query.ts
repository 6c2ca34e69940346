import type { InvoiceMetadata, InvoiceQueryFilters, QueryInvoicesMetadataResponse } from './api-types';
import { sha256Base64, utf8 } from './crypto';
import type { KsefHttpClient } from './http';

/**
 * Invoice metadata query and single-invoice download (facts §6). Purchase invoices: query with
 * `subjectType: 'Subject2'` (we are the buyer), then download each by KSeF number.
 */

export interface MetadataPaging {
  pageOffset?: number;
  /** 10–250 per the OpenAPI. */
  pageSize?: number;
  sortOrder?: 'Asc' | 'Desc';
}

export async function queryInvoiceMetadata(
  http: KsefHttpClient,
  accessToken: string,
  filters: InvoiceQueryFilters,
  paging: MetadataPaging = {},
): Promise<QueryInvoicesMetadataResponse> {
  const res = await http.request<QueryInvoicesMetadataResponse>({
    method: 'POST',
    path: '/invoices/query/metadata',
    query: { sortOrder: paging.sortOrder, pageOffset: paging.pageOffset, pageSize: paging.pageSize },
    json: filters,
    bearer: accessToken,
  });
  return { hasMore: !!res.data?.hasMore, isTruncated: !!res.data?.isTruncated, permanentStorageHwmDate: res.data?.permanentStorageHwmDate ?? null, invoices: res.data?.invoices ?? [] };
}

/**
 * Pages through one filter set (pageOffset += 1 while hasMore). Stops at KSeF's 10 000-record cap:
 * when the last page says `isTruncated`, narrow `dateRange.from` and query again (facts §6).
 */
export async function* iterateInvoiceMetadata(
  http: KsefHttpClient,
  getAccessToken: () => Promise<string>,
  filters: InvoiceQueryFilters,
  paging: Omit<MetadataPaging, 'pageOffset'> = {},
): AsyncGenerator<InvoiceMetadata, { isTruncated: boolean }> {
  for (let pageOffset = 0; ; pageOffset++) {
    const page = await queryInvoiceMetadata(http, await getAccessToken(), filters, { ...paging, pageOffset });
    yield* page.invoices;
    if (!page.hasMore || page.invoices.length === 0) return { isTruncated: page.isTruncated };
  }
}

export interface DownloadedInvoice {
  ksefNumber: string;
  xml: string;
  /** SHA-256/Base64 of the bytes received: equals the invoiceHash in the metadata. */
  invoiceHash: string;
  /** `x-ms-meta-hash` header, when present. */
  serverHash?: string;
}

export async function downloadInvoice(http: KsefHttpClient, accessToken: string, ksefNumber: string): Promise<DownloadedInvoice> {
  const res = await http.request<Uint8Array>({
    method: 'GET',
    path: `/invoices/ksef/${encodeURIComponent(ksefNumber)}`,
    bearer: accessToken,
    responseKind: 'bytes',
    headers: { accept: 'application/xml' },
  });
  const bytes = Buffer.from(res.data);
  return { ksefNumber, xml: bytes.toString('utf8'), invoiceHash: sha256Base64(utf8(bytes)), serverHash: res.headers.get('x-ms-meta-hash') ?? undefined };
}
