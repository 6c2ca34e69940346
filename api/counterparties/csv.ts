/**
 * CSV as spreadsheets export it (RFC 4180 quoting, "," or ";" — Polish Excel writes ";"), read
 * into objects keyed by the header row. Each record keeps the line it starts on, so an import
 * can say "line 7, nip: …" to the person who prepared the file.
 */
export interface CsvRecord {
  line: number;
  values: Record<string, string>;
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows = tokenize(body, delimiter);
  if (rows.length === 0) throw new CsvError(1, 'the file is empty; the first line must name the columns');
  const header = rows[0].fields.map((h) => h.trim());
  if (header.some((h) => h === '')) throw new CsvError(1, 'the header has an empty column name');
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new CsvError(1, `the header names column "${dup}" twice`);
  const records: CsvRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.fields.length === 1 && row.fields[0].trim() === '') continue; // blank line
    if (row.fields.length > header.length) throw new CsvError(row.line, `${row.fields.length} values but the header has ${header.length} columns`);
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      if (row.fields[i] !== undefined) values[h] = row.fields[i];
    });
    records.push({ line: row.line, values });
  }
  return { header, records };
}

function tokenize(text: string, delimiter: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const endRow = () => {
    fields.push(field);
    rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else field += c;
    i++;
  }
  if (quoted) throw new CsvError(rowLine, 'a quoted value is not closed');
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}
