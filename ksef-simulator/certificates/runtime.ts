// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import * as xadesjs from 'xadesjs';

/**
 * One place that points the X.509 and XML-signature libraries at Node's WebCrypto and at an XML
 * DOM (they are written for browsers). Idempotent; every certificate module imports it.
 */
const crypto = webcrypto as unknown as webcrypto.Crypto;
x509.cryptoProvider.set(crypto);
xadesjs.Application.setEngine('NodeJS', crypto);
xadesjs.setNodeDependencies({ DOMParser, XMLSerializer });

export { crypto, x509, xadesjs };
