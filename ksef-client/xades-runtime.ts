// xmldsigjs/xadesjs and @peculiar/x509 are written for browsers; @peculiar/x509 resolves its
// parsers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import * as xadesjs from 'xadesjs';

/** Points xadesjs at Node's WebCrypto and at xmldom (idempotent: every importer sets the same). */
const crypto = webcrypto;
xadesjs.Application.setEngine('NodeJS', crypto as never);
xadesjs.setNodeDependencies({ DOMParser, XMLSerializer });

export { crypto, xadesjs, XMLSerializer };
