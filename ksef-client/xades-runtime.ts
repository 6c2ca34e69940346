// xmldsigjs/xadesjs are written for browsers (WebCrypto, DOM). No @peculiar/x509 here: it would
// need the reflect-metadata polyfill in every worker; node:crypto reads our certificates instead.
import { webcrypto } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import * as xadesjs from 'xadesjs';

/** Points xadesjs at Node's WebCrypto and at xmldom (idempotent: every importer sets the same). */
const crypto = webcrypto;
xadesjs.Application.setEngine('NodeJS', crypto as never);
xadesjs.setNodeDependencies({ DOMParser, XMLSerializer });

export { crypto, xadesjs, XMLSerializer };
