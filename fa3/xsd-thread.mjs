// FA(3) XSD validation thread. Plain JavaScript (ESM) on purpose: libxml2-wasm is an ES module and
// a worker thread runs in plain Node whatever loaded its parent (tsx, jest's CommonJS runtime).
// The schema is compiled once per thread (~45 ms) and then each document costs well under a
// millisecond — the earlier xmllint-wasm path recompiled the schema on every call (~390 ms CPU).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { XmlDocument, XsdValidator, xmlRegisterInputProvider } from 'libxml2-wasm';

const { schemaDir, mainSchema } = workerData;
const root = path.resolve(schemaDir);

// Only the vendored schema files can be opened: a submitted document must never make the
// validator read the file system (its DOCTYPE could name any file). Documents are parsed with
// default options, so external DTDs and entities are neither loaded nor substituted anyway.
const openFiles = new Map();
let nextHandle = 1;
function schemaPath(name) {
  const file = path.resolve(root, name.startsWith('file://') ? new URL(name).pathname : name);
  return file.startsWith(root + path.sep) ? file : undefined;
}
xmlRegisterInputProvider({
  match: (name) => schemaPath(name) !== undefined,
  open: (name) => {
    const file = schemaPath(name);
    if (!file) return undefined;
    const handle = nextHandle++;
    openFiles.set(handle, { bytes: readFileSync(file), offset: 0 });
    return handle;
  },
  read: (handle, buf) => {
    const f = openFiles.get(handle);
    if (!f) return -1;
    const n = Math.min(buf.byteLength, f.bytes.length - f.offset);
    buf.set(f.bytes.subarray(f.offset, f.offset + n));
    f.offset += n;
    return n;
  },
  close: (handle) => openFiles.delete(handle),
});

const schemaFile = path.join(root, mainSchema);
const schemaDoc = XmlDocument.fromBuffer(readFileSync(schemaFile), { url: schemaFile });
const validator = XsdValidator.fromDoc(schemaDoc);

function issuesOf(error) {
  const details = Array.isArray(error?.details) && error.details.length > 0 ? error.details : [{ message: String(error?.message ?? error), line: 0 }];
  return details.map((d) => ({ message: String(d.message).trim(), line: d.line > 0 ? d.line : null }));
}

function validateOne(xml) {
  let doc;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (error) {
    return { valid: false, issues: issuesOf(error) };
  }
  try {
    validator.validate(doc);
    return { valid: true, issues: [] };
  } catch (error) {
    return { valid: false, issues: issuesOf(error) };
  } finally {
    doc.dispose();
  }
}

parentPort.on('message', ({ id, xmls }) => {
  parentPort.postMessage({ id, results: xmls.map(validateOne) });
});
parentPort.postMessage({ ready: true });
