import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes the process owner filters by in the Temporal UI. Registered when the
 * dev server starts (and by docker-compose for production); upserted by the invoice workflow.
 */
export const KsefStatusKey = defineSearchAttributeKey('KsefStatus', 'KEYWORD');
export const SourceSystemKey = defineSearchAttributeKey('SourceSystem', 'KEYWORD');
export const SellerNipKey = defineSearchAttributeKey('SellerNip', 'KEYWORD');
export const RejectionCodeKey = defineSearchAttributeKey('RejectionCode', 'KEYWORD');
export const InvoiceTypeKey = defineSearchAttributeKey('InvoiceType', 'KEYWORD');
export const GrossAmountKey = defineSearchAttributeKey('GrossAmount', 'DOUBLE');

/** name → CLI type, for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'Double'> = {
  KsefStatus: 'Keyword',
  SourceSystem: 'Keyword',
  SellerNip: 'Keyword',
  RejectionCode: 'Keyword',
  InvoiceType: 'Keyword',
  GrossAmount: 'Double',
};
