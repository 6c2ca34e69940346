import type { Invoice } from '../invoice';
import { makeIssue } from './issue';
import type { CounterpartyLookup, ValidationIssue } from './types';

/** Advisory only: the register is ours, not KSeF's, so nothing here blocks sending. */
export async function checkCounterparty(invoice: Invoice, lookup?: CounterpartyLookup): Promise<ValidationIssue[]> {
  if (!lookup || invoice.buyer.identifier.type !== 'NIP') return [];
  const nip = invoice.buyer.identifier.nip;
  const path = ['buyer', 'identifier', 'nip'];
  let record;
  try {
    record = await lookup.findByNip(nip);
  } catch (e) {
    const reason = e instanceof Error ? e.message.slice(0, 200) : 'unknown error';
    return [
      makeIssue('COUNTERPARTY_LOOKUP_FAILED', path, {
        en: `could not check NIP ${nip} in the counterparty register (${reason}).`,
        pl: `nie udało się sprawdzić NIP ${nip} w rejestrze kontrahentów (${reason}).`,
      }),
    ];
  }
  if (!record) {
    return [
      makeIssue('COUNTERPARTY_UNKNOWN', path, {
        en: `NIP ${nip} is not in the counterparty register — check it is the intended buyer.`,
        pl: `NIP ${nip} nie występuje w rejestrze kontrahentów — sprawdź, czy to właściwy nabywca.`,
      }),
    ];
  }
  const inactive = record.active === false;
  const notVat = record.vatStatus !== undefined && record.vatStatus !== 'ACTIVE';
  if (inactive || notVat) {
    const status = inactive ? 'inactive' : `VAT status ${record.vatStatus}`;
    const statusPl = inactive ? 'nieaktywny' : `status VAT ${record.vatStatus}`;
    return [
      makeIssue('COUNTERPARTY_INACTIVE', path, {
        en: `buyer ${record.name ?? nip} is ${status} in the counterparty register.`,
        pl: `nabywca ${record.name ?? nip} ma w rejestrze kontrahentów oznaczenie: ${statusPl}.`,
      }),
    ];
  }
  return [];
}
