import type { InvoiceInput } from '../domain/invoice';
// parse.ts imports this module too; only its functions are used, at parse time.
import { address, arr, flag, obj, str, withDefined, type Node } from './parse';

/** FA(3) Podmiot3 / Podmiot2K → model input (thirdParties, correction.originalBuyers). */

type ThirdPartyInput = NonNullable<InvoiceInput['thirdParties']>[number];
type OriginalBuyerInput = NonNullable<NonNullable<InvoiceInput['correction']>['originalBuyers']>[number];

function identifier(ids: Node): ThirdPartyInput['identifier'] {
  if (str(ids.NIP)) return { type: 'NIP', nip: str(ids.NIP)! };
  if (str(ids.IDWew)) return { type: 'INTERNAL', internalId: str(ids.IDWew)! };
  if (str(ids.NrVatUE)) return { type: 'EU_VAT', countryCode: str(ids.KodUE) ?? '', vatNumber: str(ids.NrVatUE)! };
  if (str(ids.NrID)) return str(ids.KodKraju) ? { type: 'OTHER', countryCode: str(ids.KodKraju), id: str(ids.NrID)! } : { type: 'OTHER', id: str(ids.NrID)! };
  return { type: 'NONE' };
}

export function thirdPartiesFrom(doc: Node): ThirdPartyInput[] | undefined {
  const parties = arr(doc.Podmiot3).map((p) => {
    const ids = obj(p.DaneIdentyfikacyjne) ?? {};
    const contact = arr(p.DaneKontaktowe)[0] ?? {};
    return withDefined({
      identifier: identifier(ids),
      name: str(ids.Nazwa),
      address: address(p.Adres),
      email: str(contact.Email),
      phone: str(contact.Telefon),
      role: str(p.Rola) as ThirdPartyInput['role'],
      otherRole: flag(p.RolaInna) ? (str(p.OpisRoli) ?? '') : undefined,
      share: str(p.Udzial),
      customerNumber: str(p.NrKlienta),
      buyerId: str(p.IDNabywcy),
    }) as ThirdPartyInput;
  });
  return parties.length > 0 ? parties : undefined;
}

export function originalBuyersFrom(fa: Node): OriginalBuyerInput[] | undefined {
  const buyers = arr(fa.Podmiot2K).map((p) => {
    const ids = obj(p.DaneIdentyfikacyjne) ?? {};
    // TPodmiot2 has no IDWew, so identifier() never yields INTERNAL here.
    return withDefined({ identifier: identifier(ids) as OriginalBuyerInput['identifier'], name: str(ids.Nazwa), address: address(p.Adres), buyerId: str(p.IDNabywcy) });
  });
  return buyers.length > 0 ? buyers : undefined;
}
