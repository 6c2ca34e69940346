import { createHash } from 'node:crypto';
import { buildFa3Xml, computeFa3Totals, Fa3BuildError, FA3_NAMESPACE } from '../../fa3/build';
import { validateFa3XmlBatch } from '../../fa3/xsd';
import { GENERATED_AT, SAMPLE_INPUTS, sampleInvoice } from './fa3-samples';

const kinds = Object.keys(SAMPLE_INPUTS) as Array<keyof typeof SAMPLE_INPUTS>;

describe('buildFa3Xml', () => {
  it('produces XSD-valid FA(3) for every invoice type and special case', async () => {
    const xmls = kinds.map((k) => buildFa3Xml(sampleInvoice(k), { generatedAt: GENERATED_AT, systemInfo: 'ksef-ops' }));
    const results = await validateFa3XmlBatch(xmls);
    const failures = results.map((r, i) => ({ kind: kinds[i], issues: r.issues })).filter((r) => r.issues.length > 0);
    expect(failures).toEqual([]);
    expect(results).toHaveLength(kinds.length);
  });

  it('writes the FA(3) header exactly as the schema fixes it', () => {
    const xml = buildFa3Xml(sampleInvoice('VAT'), { generatedAt: new Date('2026-02-15T08:30:00.987Z') });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Faktura xmlns="' + FA3_NAMESPACE + '"')).toBe(true);
    expect(xml).toContain('<KodFormularza kodSystemowy="FA (3)" wersjaSchemy="1-0E">FA</KodFormularza>');
    expect(xml).toContain('<WariantFormularza>3</WariantFormularza>');
    expect(xml).toContain('<DataWytworzeniaFa>2026-02-15T08:30:00Z</DataWytworzeniaFa>');
    expect(xml).not.toContain('SystemInfo');
  });

  it('is byte-deterministic, so the SHA-256 invoice hash is stable', () => {
    const hash = (x: string) => createHash('sha256').update(x).digest('base64');
    for (const k of kinds) {
      const a = buildFa3Xml(sampleInvoice(k), { generatedAt: GENERATED_AT });
      const b = buildFa3Xml(sampleInvoice(k), { generatedAt: new Date(GENERATED_AT.getTime()) });
      expect(hash(a)).toBe(hash(b));
    }
    const other = buildFa3Xml(sampleInvoice('VAT'), { generatedAt: new Date('2026-02-15T08:30:01Z') });
    expect(hash(other)).not.toBe(hash(buildFa3Xml(sampleInvoice('VAT'), { generatedAt: GENERATED_AT })));
  });

  it('sums net per rate group and rounds VAT once per rate (MF example 1 figures)', () => {
    const xml = buildFa3Xml(sampleInvoice('VAT'), { generatedAt: GENERATED_AT });
    expect(xml).toContain('<P_13_1>1666.66</P_13_1>');
    expect(xml).toContain('<P_14_1>383.33</P_14_1>');
    expect(xml).toContain('<P_13_3>0.95</P_13_3>');
    expect(xml).toContain('<P_14_3>0.05</P_14_3>');
    expect(xml).toContain('<P_15>2050.99</P_15>');
  });

  it('converts VAT to PLN in P_14_xW for foreign-currency invoices (MF example 20 figures)', () => {
    const xml = buildFa3Xml(sampleInvoice('EUR'), { generatedAt: GENERATED_AT });
    expect(xml).toContain('<KodWaluty>EUR</KodWaluty>');
    expect(xml).toContain('<P_13_1>13560.00</P_13_1>');
    expect(xml).toContain('<P_14_1>3118.80</P_14_1>');
    expect(xml).toContain('<P_14_1W>14036.16</P_14_1W>');
    expect(xml).toContain('<KursWaluty>4.5005</KursWaluty>');
  });

  it('marks reverse charge, split payment and exemption in Adnotacje', () => {
    const oo = buildFa3Xml(sampleInvoice('reverse_charge'), { generatedAt: GENERATED_AT });
    expect(oo).toContain('<P_18>1</P_18>');
    expect(oo).toContain('<P_13_10>1200.60</P_13_10>');
    expect(oo).toContain('<P_12>oo</P_12>');
    expect(oo).toContain('<P_8B>1000.5</P_8B>');
    const mpp = buildFa3Xml(sampleInvoice('split_payment'), { generatedAt: GENERATED_AT });
    expect(mpp).toContain('<P_18A>1</P_18A>');
    const zw = buildFa3Xml(sampleInvoice('exempt'), { generatedAt: GENERATED_AT });
    expect(zw).toMatch(/<Zwolnienie>\s*<P_19>1<\/P_19>\s*<P_19A>art\. 43 ust\. 1 pkt 37 ustawy VAT<\/P_19A>\s*<\/Zwolnienie>/);
    expect(zw).toContain('<P_13_7>300.00</P_13_7>');
  });

  it('writes the correction block with NrKSeF or NrKSeFN and StanPrzed lines', () => {
    const kor = buildFa3Xml(sampleInvoice('KOR'), { generatedAt: GENERATED_AT });
    expect(kor).toMatch(
      /<RodzajFaktury>KOR<\/RodzajFaktury>\s*<PrzyczynaKorekty>obniżka ceny<\/PrzyczynaKorekty>\s*<TypKorekty>3<\/TypKorekty>\s*<DaneFaKorygowanej>\s*<DataWystFaKorygowanej>2026-02-15<\/DataWystFaKorygowanej>\s*<NrFaKorygowanej>FV\/2026\/02\/001<\/NrFaKorygowanej>\s*<NrKSeF>1<\/NrKSeF>\s*<NrKSeFFaKorygowanej>5265877635-20250826-0100001AF629-AF<\/NrKSeFFaKorygowanej>/,
    );
    expect(kor).toContain('<StanPrzed>1</StanPrzed>');
    expect(kor).toContain('<P_13_1>-162.60</P_13_1>');
    expect(kor).toContain('<P_14_1>-37.40</P_14_1>');
    const outside = buildFa3Xml(sampleInvoice('KOR_outside_ksef'), { generatedAt: GENERATED_AT });
    expect(outside).toContain('<NrKSeFN>1</NrKSeFN>');
  });

  it('puts advance-invoice lines into Zamowienie and settlement references into FakturaZaliczkowa', () => {
    const zal = buildFa3Xml(sampleInvoice('ZAL'), { generatedAt: GENERATED_AT });
    expect(zal).toContain('<WartoscZamowienia>20000.00</WartoscZamowienia>');
    expect(zal).not.toContain('<FaWiersz>');
    const roz = buildFa3Xml(sampleInvoice('ROZ'), { generatedAt: GENERATED_AT });
    expect(roz).toContain('<NrKSeFFaZaliczkowej>5265877635-20250826-0100001AF629-AF</NrKSeFFaZaliczkowej>');
    expect(roz).toMatch(/<NrKSeFZN>1<\/NrKSeFZN>\s*<NrFaZaliczkowej>ZAL\/OUT\/2<\/NrFaZaliczkowej>/);
  });

  it('escapes markup characters and rejects characters KSeF refuses', () => {
    const xml = buildFa3Xml(sampleInvoice('export_eu_buyer'), { generatedAt: GENERATED_AT });
    expect(xml).toContain('<Nazwa>Müller GmbH &amp; Co. KG</Nazwa>');
    expect(xml).toContain('<P_7>maszyna &lt;typ A&gt;</P_7>');
    const bad = sampleInvoice('VAT', { invoiceNumber: 'FV\u0001' });
    expect(() => buildFa3Xml(bad, { generatedAt: GENERATED_AT })).toThrow(expect.objectContaining({ code: 'FA3_INVALID_XML_CHARACTER' }));
  });

  it('normalises leading zeros that the XSD number patterns forbid', () => {
    const xml = buildFa3Xml(sampleInvoice('all_rates'), { generatedAt: GENERATED_AT });
    expect(xml).toContain('<P_8B>3.500</P_8B>');
    expect(xml).toContain('<GV>1</GV>');
  });

  it('refuses inputs it cannot express correctly, with error codes', () => {
    expect(() => buildFa3Xml(sampleInvoice('EUR', { exchangeRate: undefined }), { generatedAt: GENERATED_AT })).toThrow(Fa3BuildError);
    expect(() => buildFa3Xml(sampleInvoice('exempt', { exemption: undefined }), { generatedAt: GENERATED_AT })).toThrow(
      expect.objectContaining({ code: 'FA3_EXEMPTION_BASIS_MISSING' }),
    );
    expect(() => buildFa3Xml(sampleInvoice('KOR', { correction: undefined }), { generatedAt: GENERATED_AT })).toThrow(
      expect.objectContaining({ code: 'FA3_CORRECTION_DATA_MISSING' }),
    );
    expect(() => buildFa3Xml(sampleInvoice('VAT'), { generatedAt: new Date('2024-01-01T00:00:00Z') })).toThrow(
      expect.objectContaining({ code: 'FA3_GENERATED_AT_OUT_OF_RANGE' }),
    );
  });

  it('exposes the totals it writes', () => {
    const totals = computeFa3Totals(sampleInvoice('VAT'));
    expect(totals).toEqual({
      groups: [
        { group: '1', netElement: 'P_13_1', vatElement: 'P_14_1', net: '1666.66', vat: '383.33', vatPln: undefined },
        { group: '3', netElement: 'P_13_3', vatElement: 'P_14_3', net: '0.95', vat: '0.05', vatPln: undefined },
      ],
      net: '1667.61',
      vat: '383.38',
      gross: '2050.99',
    });
  });
});
