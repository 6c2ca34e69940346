import type { LocalizedMessage, Severity } from './types';

export interface RuleDescription {
  severity: Severity;
  en: string;
  pl: string;
}

/**
 * Every code an issue can carry. Codes are a public contract (API responses, dashboards, the
 * lead's docs): add new ones, never rename or reuse one for a different meaning.
 */
export const RULES = {
  NIP_FORMAT: {
    severity: 'error',
    en: 'A Polish NIP must be 10 digits (spaces, dashes and a "PL" prefix are ignored) and must not start with 0.',
    pl: 'NIP musi mieć 10 cyfr (spacje, myślniki i prefiks "PL" są pomijane) i nie może zaczynać się od 0.',
  },
  NIP_CHECKSUM: {
    severity: 'error',
    en: 'The NIP check digit is wrong — most likely a typo in the number.',
    pl: 'Cyfra kontrolna NIP jest błędna — najpewniej literówka w numerze.',
  },
  EU_VAT_COUNTRY: {
    severity: 'error',
    en: 'An EU VAT id needs an EU member-state code (Greece is "EL", Northern Ireland "XI"); Polish buyers are identified by NIP.',
    pl: 'Numer VAT UE wymaga kodu państwa członkowskiego UE (Grecja to "EL", Irlandia Północna "XI"); polskiego nabywcę identyfikuje się NIP-em.',
  },
  EU_VAT_ID_FORMAT: {
    severity: 'error',
    en: "The EU VAT number does not match that country's format (enter it without the country prefix).",
    pl: 'Numer VAT UE nie pasuje do formatu danego państwa (wpisz go bez prefiksu kraju).',
  },
  REQUIRED_FIELD_FOR_TYPE: {
    severity: 'error',
    en: 'This invoice type needs a field that is missing (e.g. a settlement invoice must list its advance invoices, a simplified invoice needs the buyer NIP).',
    pl: 'Ten rodzaj faktury wymaga pola, którego brakuje (np. faktura rozliczeniowa musi wskazać faktury zaliczkowe, faktura uproszczona — NIP nabywcy).',
  },
  FIELD_NOT_ALLOWED_FOR_TYPE: {
    severity: 'warning',
    en: 'The field does not belong on this invoice type: it is ignored, or (for "before correction" lines) it would distort the totals.',
    pl: 'Pole nie pasuje do tego rodzaju faktury: jest pomijane albo (dla pozycji "przed korektą") zniekształciłoby sumy.',
  },
  CORRECTION_REFERENCE_MISSING: {
    severity: 'error',
    en: 'A correcting invoice must name the invoice(s) it corrects: number, issue date and KSeF number, or marked as issued outside KSeF.',
    pl: 'Faktura korygująca musi wskazać fakturę korygowaną: numer, datę wystawienia i numer KSeF albo oznaczenie, że wystawiono ją poza KSeF.',
  },
  SIMPLIFIED_INVOICE_LIMIT: {
    severity: 'error',
    en: 'A simplified invoice (UPR) is allowed only up to 450 PLN or 100 EUR gross (art. 106e(5)(3) VAT Act).',
    pl: 'Faktura uproszczona (UPR) jest dopuszczalna tylko do 450 zł lub 100 euro brutto (art. 106e ust. 5 pkt 3 ustawy o VAT).',
  },
  SIMPLIFIED_INVOICE_NOT_ALLOWED: {
    severity: 'error',
    en: 'A simplified invoice cannot document intra-EU supplies, reverse-charge supplies or services taxed in another country (art. 106e(6)).',
    pl: 'Faktura uproszczona nie może dokumentować WDT, dostaw rozliczanych przez nabywcę (odwrotne obciążenie) ani usług opodatkowanych w innym kraju (art. 106e ust. 6).',
  },
  ADVANCE_AMOUNT_INVALID: {
    severity: 'error',
    en: 'The advance received must be greater than zero and not larger than the gross value of the order.',
    pl: 'Otrzymana zaliczka musi być większa od zera i nie większa niż wartość brutto zamówienia.',
  },
  VAT_RATE_UNKNOWN: {
    severity: 'error',
    en: 'The VAT rate is not one KSeF accepts (23, 8, 5, 0 KR, 0 WDT, 0 EX, zw, oo, np I, np II, and the historic 22, 7, 4, 3).',
    pl: 'Stawka VAT nie jest akceptowana przez KSeF (23, 8, 5, 0 KR, 0 WDT, 0 EX, zw, oo, np I, np II oraz historyczne 22, 7, 4, 3).',
  },
  VAT_CODE_UNMAPPED: {
    severity: 'error',
    en: "The source system sent its own VAT code that has no mapping to a KSeF rate in the VAT dictionary.",
    pl: 'System źródłowy przesłał własny kod VAT, dla którego słownik VAT nie ma odpowiednika stawki KSeF.',
  },
  VAT_RATE_HISTORIC: {
    severity: 'warning',
    en: 'The 22 % and 7 % rates ended in 2010; they are normally only used when correcting old invoices.',
    pl: 'Stawki 22% i 7% obowiązywały do 2010 r.; zwykle stosuje się je tylko przy korekcie starych faktur.',
  },
  EXEMPTION_BASIS_REQUIRED: {
    severity: 'error',
    en: 'A VAT-exempt ("zw") line requires the legal basis of the exemption (article of the VAT Act, of the directive, or other).',
    pl: 'Pozycja zwolniona ("zw") wymaga podstawy prawnej zwolnienia (przepis ustawy, dyrektywy lub inna podstawa).',
  },
  EXEMPTION_WITHOUT_EXEMPT_LINE: {
    severity: 'warning',
    en: 'An exemption basis is given but no line is exempt ("zw"); the invoice will still state an exemption.',
    pl: 'Podano podstawę zwolnienia, ale żadna pozycja nie jest zwolniona ("zw"); faktura i tak będzie zawierać adnotację o zwolnieniu.',
  },
  REVERSE_CHARGE_RATE: {
    severity: 'error',
    en: 'Reverse-charge lines ("oo") and the invoice\'s "reverse charge" annotation must go together.',
    pl: 'Pozycje z odwrotnym obciążeniem ("oo") i adnotacja "odwrotne obciążenie" muszą występować razem.',
  },
  WDT_BUYER_EU_VAT: {
    severity: 'warning',
    en: 'A 0 % intra-EU supply (0 WDT) requires the buyer\'s EU VAT number.',
    pl: 'Stawka 0% dla WDT wymaga numeru VAT UE nabywcy.',
  },
  LINE_NET_MISMATCH: {
    severity: 'error',
    en: 'The line net value differs from quantity × unit net price by more than 0.01.',
    pl: 'Wartość netto pozycji różni się od iloczynu ilości i ceny jednostkowej netto o więcej niż 0,01.',
  },
  TOTAL_MISMATCH: {
    severity: 'error',
    en: 'The gross total does not agree with the lines (net per VAT rate plus VAT per rate).',
    pl: 'Kwota brutto nie zgadza się z pozycjami (netto w każdej stawce plus VAT od tej kwoty).',
  },
  TOTAL_ROUNDING_DIFFERENCE: {
    severity: 'warning',
    en: 'The gross total differs from the lines by a few grosze, typical of VAT rounded per line; KSeF stores P_15 as sent.',
    pl: 'Kwota brutto różni się od pozycji o kilka groszy, co zwykle wynika z zaokrąglania VAT w każdej pozycji; KSeF zapisze P_15 w przesłanej postaci.',
  },
  CURRENCY_RATE_REQUIRED: {
    severity: 'error',
    en: 'An invoice in a foreign currency that charges VAT needs the exchange rate to PLN (the VAT must also be shown in PLN); 0 %, exempt and out-of-scope lines need none.',
    pl: 'Faktura w walucie obcej naliczająca VAT wymaga kursu wymiany na PLN (VAT musi być wykazany także w złotych); pozycje 0 %, zwolnione i niepodlegające go nie wymagają.',
  },
  CURRENCY_RATE_NOT_ALLOWED: {
    severity: 'error',
    en: 'An invoice in PLN must not carry an exchange rate.',
    pl: 'Faktura w PLN nie może zawierać kursu waluty.',
  },
  CURRENCY_RATE_INVALID: {
    severity: 'error',
    en: 'The exchange rate must be greater than zero.',
    pl: 'Kurs waluty musi być większy od zera.',
  },
  DATE_IN_FUTURE: {
    severity: 'error',
    en: 'The date lies in the future; KSeF rejects an issue date later than the day it receives the invoice.',
    pl: 'Data jest z przyszłości; KSeF odrzuca fakturę z datą wystawienia późniejszą niż dzień jej przyjęcia.',
  },
  DATE_OUT_OF_RANGE: {
    severity: 'error',
    en: 'The FA(3) schema accepts dates from 2006-01-01 to 2050-01-01 only.',
    pl: 'Schemat FA(3) przyjmuje wyłącznie daty od 2006-01-01 do 2050-01-01.',
  },
  DATE_ORDER: {
    severity: 'error',
    en: 'Dates are in an impossible order (e.g. payment due before the issue date, corrected invoice issued after its correction).',
    pl: 'Daty są w niemożliwej kolejności (np. termin płatności przed datą wystawienia, faktura korygowana późniejsza niż korekta).',
  },
  SALE_DATE_RANGE: {
    severity: 'warning',
    en: 'The sale date is far from the issue date: an invoice may be issued at most 60 days before the sale and normally by the 15th of the following month (art. 106i).',
    pl: 'Data sprzedaży jest odległa od daty wystawienia: fakturę można wystawić najwcześniej 60 dni przed sprzedażą i zwykle do 15. dnia następnego miesiąca (art. 106i).',
  },
  SPLIT_PAYMENT_THRESHOLD: {
    severity: 'warning',
    en: 'Gross total is 15 000 PLN or more but split payment (MPP) is not marked; MPP is mandatory if any line is in Annex 15 of the VAT Act.',
    pl: 'Kwota brutto wynosi co najmniej 15 000 zł, a mechanizm podzielonej płatności (MPP) nie jest zaznaczony; MPP jest obowiązkowy, jeśli którakolwiek pozycja jest w załączniku nr 15 do ustawy o VAT.',
  },
  COUNTERPARTY_UNKNOWN: {
    severity: 'warning',
    en: 'The buyer NIP is not in the counterparty register.',
    pl: 'NIP nabywcy nie występuje w rejestrze kontrahentów.',
  },
  COUNTERPARTY_INACTIVE: {
    severity: 'warning',
    en: 'The buyer is marked inactive or is not an active VAT payer.',
    pl: 'Nabywca jest oznaczony jako nieaktywny lub nie jest czynnym podatnikiem VAT.',
  },
  COUNTERPARTY_LOOKUP_FAILED: {
    severity: 'warning',
    en: 'The counterparty register could not be checked; validation continued without it.',
    pl: 'Nie udało się sprawdzić rejestru kontrahentów; walidację wykonano bez niego.',
  },
  THIRD_PARTY_ROLE_REQUIRED: {
    severity: 'error',
    en: 'A third party (FA(3) Podmiot3) needs exactly one role: a listed role (factor, payer, recipient, additional buyer…) or another role described in words.',
    pl: 'Podmiot trzeci (Podmiot3) wymaga dokładnie jednej roli: jednej z listy (faktor, płatnik, odbiorca, dodatkowy nabywca…) albo innej roli opisanej słownie.',
  },
  THIRD_PARTY_MISSING_FOR_FLAG: {
    severity: 'warning',
    en: 'The buyer is marked as a local government unit (JST) or a VAT group member, but no third party with the matching recipient role (8 or 10) is given, so KSeF will not make the invoice available to that unit.',
    pl: 'Nabywca oznaczony jako JST lub członek grupy VAT, ale brak podmiotu trzeciego z odpowiednią rolą odbiorcy (8 lub 10), więc KSeF nie udostępni faktury tej jednostce.',
  },
  TEXT_INVALID_CHARACTER: {
    severity: 'error',
    en: 'A text field contains a control character or Unicode non-character that KSeF rejects in XML.',
    pl: 'Pole tekstowe zawiera znak sterujący lub niedozwolony znak Unicode, który KSeF odrzuca w XML.',
  },
  INVOICE_NUMBER_CONFUSABLE: {
    severity: 'error',
    en: 'The invoice number mixes look-alike letters of different scripts (Latin, Cyrillic, Greek) or contains an invisible character (zero-width, bidi mark, tab, line break), so it would look like another number.',
    pl: 'Numer faktury łączy podobne litery różnych alfabetów (łaciński, cyrylica, grecki) albo zawiera niewidoczny znak (o zerowej szerokości, znak kierunku, tabulator, koniec wiersza), więc wyglądałby jak inny numer.',
  },
  XML_BUILD_FAILED: {
    severity: 'error',
    en: 'The FA(3) XML could not be produced from the invoice data.',
    pl: 'Nie udało się wygenerować pliku FA(3) XML z danych faktury.',
  },
  XSD_INVALID: {
    severity: 'error',
    en: 'The generated FA(3) XML does not satisfy the official XSD schema; KSeF would reject it.',
    pl: 'Wygenerowany plik FA(3) XML nie spełnia oficjalnego schematu XSD; KSeF by go odrzucił.',
  },
  INTERNAL_RULE_ERROR: {
    severity: 'error',
    en: 'A validation rule failed unexpectedly; the invoice is held back until the problem is fixed.',
    pl: 'Reguła walidacji zakończyła się nieoczekiwanym błędem; faktura jest wstrzymana do czasu naprawy.',
  },
  SCHEMA_REQUIRED: { severity: 'error', en: 'A required field is missing.', pl: 'Brakuje wymaganego pola.' },
  SCHEMA_INVALID_TYPE: {
    severity: 'error',
    en: 'The field has the wrong kind of value (e.g. a number where text is expected).',
    pl: 'Pole ma niewłaściwy rodzaj wartości (np. liczba zamiast tekstu).',
  },
  SCHEMA_FORMAT: {
    severity: 'error',
    en: 'The value is not in the expected format (amount, date, code…).',
    pl: 'Wartość ma niewłaściwy format (kwota, data, kod…).',
  },
  SCHEMA_TOO_SHORT: { severity: 'error', en: 'The value is empty or too short / too small.', pl: 'Wartość jest pusta lub za krótka / za mała.' },
  SCHEMA_TOO_LONG: { severity: 'error', en: 'The value is too long / too large.', pl: 'Wartość jest za długa / za duża.' },
  SCHEMA_INVALID_VALUE: {
    severity: 'error',
    en: 'The value is not one of the allowed options.',
    pl: 'Wartość nie należy do dozwolonych opcji.',
  },
  SCHEMA_UNKNOWN_FIELD: { severity: 'error', en: 'The payload contains a field that is not expected.', pl: 'Dane zawierają nieoczekiwane pole.' },
  SCHEMA_INVALID: { severity: 'error', en: 'The value is invalid.', pl: 'Wartość jest nieprawidłowa.' },
} as const satisfies Record<string, RuleDescription>;

export type RuleCode = keyof typeof RULES;

export const RULE_CODES = Object.keys(RULES) as RuleCode[];

export function ruleDescription(code: RuleCode): LocalizedMessage {
  return { en: RULES[code].en, pl: RULES[code].pl };
}
