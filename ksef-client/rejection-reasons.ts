import { KsefApiError, KsefAuthError, type KsefError } from './errors';

/**
 * KSeF's status descriptions are short and Polish ("Nieprawidłowy zakres uprawnień"); the person
 * fixing an invoice needs to know whose permission is missing and what to do. These turn the
 * permission families of the status tables (facts §2 auth 415, §5 invoice 410/415) into a triage
 * reason in Polish and English that names seller and context, and keeps KSeF's own words.
 */

export interface InvoiceStatusLike {
  code: number;
  description: string;
  details?: string[] | null;
}

export interface PermissionContext {
  /** Podmiot1 NIP of the invoice. */
  sellerNip: string;
  /** The context (NIP) the invoice was sent in. */
  contextNip: string;
}

/** KSeF's details are appended by whoever shows the description (the lifecycle adds them to the reason). */
function kseFWords(status: InvoiceStatusLike): string {
  return `KSeF ${status.code}: ${status.description}`;
}

/** The description to show for an invoice status; other codes keep KSeF's description unchanged. */
export function describeInvoiceStatus(status: InvoiceStatusLike, where: PermissionContext): string {
  if (status.code === 410) {
    return (
      `Brak uprawnień do wystawiania faktur dla NIP ${where.sellerNip} w kontekście ${where.contextNip}: sprzedawca musi nadać temu kontekstowi ` +
      `uprawnienie (samofakturowanie — SelfInvoicing, przedstawiciel podatkowy — TaxRepresentative) albo fakturę trzeba wysłać w kontekście sprzedawcy. ` +
      `/ No permission to issue invoices for NIP ${where.sellerNip} in context ${where.contextNip}: the seller must grant this context a permission ` +
      `(SelfInvoicing, TaxRepresentative) or the invoice must be sent in the seller's own context. (${kseFWords(status)})`
    );
  }
  if (status.code === 415) {
    return (
      `Wysyłka faktur z załącznikiem nie jest włączona dla NIP ${where.sellerNip} (albo faktura z załącznikiem poszła sesją interaktywną): ` +
      `zgłoś korzystanie z załączników w e-Urzędzie Skarbowym i wysyłaj je sesją wsadową. / Invoices with attachments are not enabled for NIP ` +
      `${where.sellerNip} (or one was sent in an online session): register attachment use in e-Urząd Skarbowy and send them in a batch session. (${kseFWords(status)})`
    );
  }
  return status.description;
}

/** An authentication that ended in 415 (no permissions) or 450 (token) needs a person, not a retry. */
export function describeAuthFailure(statusCode: number, contextNip: string | null, ksefText: string): string | null {
  const where = contextNip ? ` ${contextNip}` : '';
  if (statusCode === 415) {
    return (
      `KSeF odmówił uwierzytelnienia: token lub certyfikat nie ma uprawnień w kontekście NIP${where} — nadaj uprawnienia (InvoiceWrite) albo użyj ` +
      `poświadczenia tego kontekstu. / KSeF refused authentication: the token or certificate has no permissions in context NIP${where} — grant ` +
      `them (InvoiceWrite) or use this context's credential. (${ksefText})`
    );
  }
  if (statusCode === 450) {
    return (
      `KSeF odrzucił token KSeF dla kontekstu NIP${where} (błędny, unieważniony lub nieaktywny) — wygeneruj nowy token w tym kontekście. / ` +
      `KSeF rejected the KSeF token for context NIP${where} (wrong, revoked or inactive) — generate a new token in this context. (${ksefText})`
    );
  }
  return null;
}

/**
 * A request KSeF refused for want of permission — an authentication ending in 415 (no permissions in
 * the context) or 450 (token), or a session refused with 403 `missing-permissions` (no InvoiceWrite).
 * Retrying cannot help; a person must grant the permission or fix the credential.
 */
export function permissionFailureOf(error: KsefError, contextNip: string): string | null {
  if (error instanceof KsefAuthError) return describeAuthFailure(error.statusCode, contextNip, error.message);
  if (error instanceof KsefApiError && error.httpStatus === 403 && error.problem?.reasonCode === 'missing-permissions') {
    const security = (error.problem.security ?? {}) as { requiredAnyOfPermissions?: unknown; presentPermissions?: unknown };
    const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '?');
    return (
      `Poświadczenie KSeF nie ma uprawnienia do wysyłania faktur w kontekście NIP ${contextNip} (wymagane jedno z: ${list(security.requiredAnyOfPermissions)}; ` +
      `ma: ${list(security.presentPermissions)}) — nadaj InvoiceWrite albo użyj innego tokenu/certyfikatu. / The KSeF credential may not send invoices in ` +
      `context NIP ${contextNip} (needs one of: ${list(security.requiredAnyOfPermissions)}; has: ${list(security.presentPermissions)}) — grant InvoiceWrite ` +
      `or use another token/certificate. (KSeF 403 missing-permissions)`
    );
  }
  return null;
}
