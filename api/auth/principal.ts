import type { RoleName } from '../../prisma/access-repository';

/** Who is calling: a person (session) or a source system (API key). */
export type Principal =
  | { kind: 'user'; userId: string; email: string; name: string; roles: RoleName[]; sessionId: string | null }
  | { kind: 'api-key'; keyId: string; prefix: string; name: string; sourceSystem: string; sellerNips: string[]; roles: RoleName[] };

/** The id that goes into audit rows and workflow decisions (`by`). Stable across renames. */
export function actorIdOf(p: Principal): string {
  return p.kind === 'user' ? `user:${p.userId}` : `api-key:${p.prefix}`;
}

/** Source systems act as senders of their own invoices, nothing else. */
export const API_KEY_ROLES: RoleName[] = ['sender'];
