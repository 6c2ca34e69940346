/**
 * Who may send which invoice (CIRFMF/ksef-docs uprawnienia.md, kody-qr.md "Przykład 3"): in its own
 * context (context NIP = Podmiot1 NIP) the owner issues its invoices; an invoice of another seller
 * goes through only with an entity permission the seller granted to the context — `SelfInvoicing`
 * for a self-billing invoice (Adnotacje/P_17 = 1), `TaxRepresentative` for a tax representative.
 * Anything else ends with invoice status 410 "Nieprawidłowy zakres uprawnień". Authenticating for a
 * NIP whose checksum is wrong is refused (400, 21405), as on PRD.
 *
 * `permissive: true` keeps the old simulator world (any seller in any context) for tests written
 * before this check; the default is the documented behaviour.
 */
import type { NextFunction, Request, Response } from 'express';
import { isValidNip } from '../domain/nip';
import type { SimulatorContext } from './context';
import { ExceptionCode, KsefError, traceId } from './errors';
import { bearerToken } from './http';
import { verifyBearer } from './tokens';
import type { InvoiceFacts } from './invoice-facts';
import type { StatusInfo } from './state';
import { invoiceStatus } from './state';

export const ENTITY_PERMISSIONS = ['SelfInvoicing', 'TaxRepresentative', 'RRInvoicing'] as const;
export type EntityPermission = (typeof ENTITY_PERMISSIONS)[number];

export interface PermissionGrant {
  /** The seller (Podmiot1) who lets another entity issue its invoices. */
  grantorNip: string;
  /** The context (NIP) allowed to send them. */
  granteeNip: string;
  permission: EntityPermission;
}

export class PermissionBook {
  private grants: PermissionGrant[] = [];

  constructor(initial: PermissionGrant[] = []) {
    for (const g of initial) this.grant(g);
  }

  grant(g: PermissionGrant): void {
    if (!this.has(g)) this.grants.push({ ...g });
  }

  revoke(g: PermissionGrant): boolean {
    const before = this.grants.length;
    this.grants = this.grants.filter((x) => !(x.grantorNip === g.grantorNip && x.granteeNip === g.granteeNip && x.permission === g.permission));
    return this.grants.length < before;
  }

  has(g: PermissionGrant): boolean {
    return this.grants.some((x) => x.grantorNip === g.grantorNip && x.granteeNip === g.granteeNip && x.permission === g.permission);
  }

  list(): PermissionGrant[] {
    return this.grants.map((g) => ({ ...g }));
  }

  clear(): void {
    this.grants = [];
  }
}

const books = new WeakMap<SimulatorContext['state'], PermissionBook>();

/** The simulator's grants: kept across /_sim/reset, like token registrations (a test set them up). */
export function permissionsOf(ctx: SimulatorContext): PermissionBook {
  let book = books.get(ctx.state);
  if (!book) {
    book = new PermissionBook(ctx.options.permissionGrants);
    books.set(ctx.state, book);
  }
  return book;
}

/** null = may send; otherwise the final 410 status, with details naming seller and context. */
export function invoicePermissionProblem(ctx: SimulatorContext, contextNip: string, facts: InvoiceFacts): StatusInfo | null {
  if (ctx.options.permissive) return null;
  const seller = facts.sellerNip;
  if (seller === contextNip) return null;
  const book = permissionsOf(ctx);
  if (facts.isSelfInvoicing) {
    if (book.has({ grantorNip: seller, granteeNip: contextNip, permission: 'SelfInvoicing' })) return null;
    return invoiceStatus(410, [
      `Brak uprawnienia SelfInvoicing: podmiot ${seller} (Podmiot1) nie upoważnił podmiotu ${contextNip} do samofakturowania; faktura z P_17=1 wysłana w kontekście NIP ${contextNip}.`,
    ]);
  }
  if (book.has({ grantorNip: seller, granteeNip: contextNip, permission: 'TaxRepresentative' })) return null;
  return invoiceStatus(410, [`Brak uprawnień do wystawienia faktury w imieniu podmiotu ${seller} (Podmiot1) w kontekście NIP ${contextNip}.`]);
}

/**
 * `POST /auth/ksef-token` for a NIP context whose checksum is wrong: 400 21405 before any
 * authentication starts (KSeF validates the identifier; TEST is lenient, PRD is not).
 */
export function authContextGuard(ctx: SimulatorContext) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (ctx.options.permissive || !ctx.options.enforceNipChecksum || req.method !== 'POST' || req.path !== '/auth/ksef-token') return next();
    const context = (req.body as { contextIdentifier?: { type?: unknown; value?: unknown } } | undefined)?.contextIdentifier;
    if (context?.type === 'Nip' && typeof context.value === 'string' && !isValidNip(context.value)) {
      return next(new KsefError(ExceptionCode.validation, 'Błąd walidacji danych wejściowych.', [`contextIdentifier.value: nieprawidłowy NIP ${context.value.slice(0, 20)} (suma kontrolna).`]));
    }
    next();
  };
}

/**
 * A KSeF token carries the permissions it was generated with (tokeny-ksef.md: `permissions`, e.g.
 * InvoiceRead, InvoiceWrite). A token registered here with its list gives authentications that can
 * do only that; tokens never registered keep every permission (TEST's self-issued tokens).
 */
const tokenPermissions = new WeakMap<SimulatorContext['state'], Map<string, string[]>>();
const authPermissions = new WeakMap<SimulatorContext['state'], Map<string, string[]>>();

function mapOf<T>(store: WeakMap<SimulatorContext['state'], Map<string, T>>, ctx: SimulatorContext): Map<string, T> {
  let map = store.get(ctx.state);
  if (!map) {
    map = new Map();
    store.set(ctx.state, map);
  }
  return map;
}

export function setTokenPermissions(ctx: SimulatorContext, token: string, permissions: string[]): void {
  mapOf(tokenPermissions, ctx).set(token, [...permissions]);
}

export function listTokenPermissions(ctx: SimulatorContext): { token: string; permissions: string[] }[] {
  return [...mapOf(tokenPermissions, ctx)].map(([token, permissions]) => ({ token, permissions }));
}

/** Called when a token authentication starts: its operation (and every bearer from it) inherits the token's list. */
export function rememberAuthPermissions(ctx: SimulatorContext, authReferenceNumber: string, token: string): void {
  const permissions = mapOf(tokenPermissions, ctx).get(token);
  if (permissions) mapOf(authPermissions, ctx).set(authReferenceNumber, permissions);
}

const NEEDS_INVOICE_WRITE = new Set(['/sessions/online', '/sessions/batch']);
/** KSeF's rule for opening a session (facts §3): one of these. */
const INVOICE_WRITE_ANY_OF = ['InvoiceWrite', 'PefInvoiceWrite', 'EnforcementOperations'];

/**
 * Opening a session needs InvoiceWrite (or PefInvoiceWrite / EnforcementOperations): otherwise 403
 * problem+json with reasonCode `missing-permissions` and the required/present lists (facts §7).
 */
export function invoiceWriteGuard(ctx: SimulatorContext) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (ctx.options.permissive || req.method !== 'POST' || !NEEDS_INVOICE_WRITE.has(req.path)) return next();
    const token = bearerToken(req);
    const check = token ? verifyBearer(ctx.state.keys.hmacSecret, token) : null;
    if (!check?.ok) return next(); // the route answers 401 itself
    const present = mapOf(authPermissions, ctx).get(check.claims.authReferenceNumber);
    if (!present || present.some((p) => INVOICE_WRITE_ANY_OF.includes(p))) return next();
    res
      .status(403)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          title: 'Forbidden',
          status: 403,
          detail: `Brak uprawnień do wysyłania faktur w kontekście ${check.claims.contextNip}.`,
          instance: req.originalUrl,
          reasonCode: 'missing-permissions',
          security: { requiredAnyOfPermissions: INVOICE_WRITE_ANY_OF, presentPermissions: present },
          traceId: traceId(),
          timestamp: new Date().toISOString(),
        }),
      );
  };
}
