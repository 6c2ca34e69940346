import type { Invoice } from '../invoice';
import { euVatIdIssues } from './eu-vat';
import { makeIssue } from './issue';
import { nipIssue } from './nip';
import type { ValidationIssue } from './types';

const THIRD_PARTY = { en: 'third party', enMany: 'third parties', pl: 'podmiot trzeci', plOf: 'podmiotów trzecich' };
const ORIGINAL_BUYER = { en: 'buyer', enMany: 'buyers', pl: 'nabywcę', plOf: 'nabywców' };

/**
 * Third parties (Podmiot3) and the original buyer data of a buyer-data correction (Podmiot2K) get
 * the same identifier checks as the buyer, each pointing at its own entry (thirdParties.1.identifier.nip).
 */
export function checkParties(invoice: Invoice): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  (invoice.thirdParties ?? []).forEach((party, i) => {
    const base = ['thirdParties', i, 'identifier'];
    if (party.identifier.type === 'NIP') {
      const nip = nipIssue(party.identifier.nip, [...base, 'nip']);
      if (nip) out.push(nip);
    }
    if (party.identifier.type === 'INTERNAL') {
      // IDWew is "<NIP of the group or JST>-<5 digits>": a typo in its NIP part is as fatal as in a NIP.
      const nip = nipIssue(party.identifier.internalId.slice(0, 10), [...base, 'internalId']);
      if (nip) out.push(nip);
    }
    out.push(...euVatIdIssues(party.identifier, base, THIRD_PARTY));
    if (!party.role === !party.otherRole) {
      out.push(
        makeIssue('THIRD_PARTY_ROLE_REQUIRED', ['thirdParties', i, 'role'], party.role
          ? {
              en: `give either role "${party.role}" or otherRole, not both — FA(3) takes one of them.`,
              pl: `podaj albo rolę "${party.role}", albo inną rolę (otherRole), nie obie — FA(3) przyjmuje jedną z nich.`,
            }
          : {
              en: 'state the role of this party (role 1–11, e.g. 1 factor, 6 payer, 8 JST recipient) or describe another role in otherRole.',
              pl: 'podaj rolę tego podmiotu (rola 1–11, np. 1 faktor, 6 płatnik, 8 JST — odbiorca) albo opisz inną rolę w otherRole.',
            }),
      );
    }
  });
  (invoice.correction?.originalBuyers ?? []).forEach((buyer, i) => {
    const base = ['correction', 'originalBuyers', i, 'identifier'];
    if (buyer.identifier.type === 'NIP') {
      const nip = nipIssue(buyer.identifier.nip, [...base, 'nip']);
      if (nip) out.push(nip);
    }
    out.push(...euVatIdIssues(buyer.identifier, base, ORIGINAL_BUYER));
  });
  out.push(...recipientForFlag(invoice));
  return out;
}

/** FA(3) JST=1 / GV=1 only make sense with the subordinate unit / group member named as Podmiot3 (roles 8 / 10). */
function recipientForFlag(invoice: Invoice): ValidationIssue[] {
  const roles = new Set((invoice.thirdParties ?? []).map((p) => p.role));
  const out: ValidationIssue[] = [];
  if (invoice.buyer.isLocalGovernmentUnit && !roles.has('8')) {
    out.push(
      makeIssue('THIRD_PARTY_MISSING_FOR_FLAG', ['buyer', 'isLocalGovernmentUnit'], {
        en: 'the buyer is marked as a local government unit (JST) but no third party with role 8 (JST recipient) names the subordinate unit.',
        pl: 'nabywca oznaczony jako JST, ale brak podmiotu trzeciego z rolą 8 (JST — odbiorca) wskazującego jednostkę podrzędną.',
      }),
    );
  }
  if (invoice.buyer.isVatGroupMember && !roles.has('10')) {
    out.push(
      makeIssue('THIRD_PARTY_MISSING_FOR_FLAG', ['buyer', 'isVatGroupMember'], {
        en: 'the buyer is marked as a VAT group member but no third party with role 10 (VAT group member — recipient) names the member.',
        pl: 'nabywca oznaczony jako członek grupy VAT, ale brak podmiotu trzeciego z rolą 10 (członek grupy VAT — odbiorca).',
      }),
    );
  }
  return out;
}
