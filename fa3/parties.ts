import type { Buyer, Invoice, OriginalBuyer, ThirdParty } from '../domain/invoice';
// build.ts imports this module too; only functions are used, and only when a document is built.
import { CORRECTION_TYPES, Fa3BuildError, adres, el, leaf, token, type XmlElement } from './build';

/**
 * FA(3) Podmiot3 (third parties) and Podmiot2K (buyer data as on the corrected invoice), kept apart
 * from build.ts so the party blocks can change without touching the document skeleton.
 */

/** DaneIdentyfikacyjne of any party: the buyer (Podmiot2), a third party (Podmiot3), the original buyer (Podmiot2K). */
export function identification(id: ThirdParty['identifier'] | OriginalBuyer['identifier'] | Buyer['identifier'], name: string | undefined): XmlElement {
  const nazwa = name ? leaf('Nazwa', token(name)) : undefined;
  switch (id.type) {
    case 'NIP':
      return el('DaneIdentyfikacyjne', leaf('NIP', id.nip), nazwa);
    case 'INTERNAL':
      return el('DaneIdentyfikacyjne', leaf('IDWew', id.internalId), nazwa);
    case 'EU_VAT':
      return el('DaneIdentyfikacyjne', leaf('KodUE', id.countryCode), leaf('NrVatUE', id.vatNumber), nazwa);
    case 'OTHER':
      return el('DaneIdentyfikacyjne', leaf('KodKraju', id.countryCode), leaf('NrID', token(id.id)), nazwa);
    case 'NONE':
      return el('DaneIdentyfikacyjne', leaf('BrakID', '1'), nazwa);
  }
}

function thirdParty(party: ThirdParty, index: number): XmlElement {
  // The XSD demands exactly one of Rola / RolaInna; validation reports THIRD_PARTY_ROLE_REQUIRED first.
  if (!party.role && !party.otherRole) {
    throw new Fa3BuildError('FA3_THIRD_PARTY_ROLE_MISSING', `thirdParties[${index}] needs role or otherRole (Podmiot3 Rola / RolaInna)`);
  }
  return el(
    'Podmiot3',
    party.buyerId ? leaf('IDNabywcy', token(party.buyerId)) : undefined,
    identification(party.identifier, party.name),
    adres(party.address),
    party.email || party.phone ? el('DaneKontaktowe', leaf('Email', party.email), party.phone ? leaf('Telefon', token(party.phone)) : undefined) : undefined,
    party.role ? leaf('Rola', party.role) : [leaf('RolaInna', '1')!, leaf('OpisRoli', token(party.otherRole!))!],
    party.share !== undefined ? leaf('Udzial', percent(party.share)) : undefined,
    party.customerNumber ? leaf('NrKlienta', token(party.customerNumber)) : undefined,
  );
}

/** XSD decimals forbid leading zeros; "050.5" must be written "50.5". */
function percent(value: string): string {
  const [whole, frac] = value.split('.');
  const w = whole.replace(/^0+(?=\d)/, '');
  return frac ? `${w}.${frac}` : w;
}

export function thirdPartyBlocks(invoice: Invoice): XmlElement[] {
  return (invoice.thirdParties ?? []).map(thirdParty);
}

/** Podmiot2K belongs to corrections only; on other types the data is ignored (FIELD_NOT_ALLOWED_FOR_TYPE). */
export function originalBuyerBlocks(invoice: Invoice): XmlElement[] {
  if (!CORRECTION_TYPES.has(invoice.type) || !invoice.correction?.originalBuyers) return [];
  return invoice.correction.originalBuyers.map((b) =>
    el('Podmiot2K', identification(b.identifier, b.name), adres(b.address), b.buyerId ? leaf('IDNabywcy', token(b.buyerId)) : undefined),
  );
}
