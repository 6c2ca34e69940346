import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const spec = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'ksef-schemas', 'ksef-api-v2.open-api.json'), 'utf8')) as any;

/**
 * OpenAPI 3.0 → JSON Schema for ajv: `nullable` becomes an explicit null alternative and refs
 * point into the registered components document.
 */
function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key === 'example' || key === 'deprecated' || key === 'readOnly' || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/components/schemas/', 'components#/schemas/');
    else out[key] = toJsonSchema(value);
  }
  if (node.nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'components', schemas: toJsonSchema(spec.components.schemas) });
const cache = new Map<string, ValidateFunction>();

/** Errors (empty = conforms) of a response body against the official schema of path+method+status. */
export function openApiErrors(method: string, pathTemplate: string, status: number, body: unknown, contentType = 'application/json'): string[] {
  const key = `${method} ${pathTemplate} ${status} ${contentType}`;
  let validate = cache.get(key);
  if (!validate) {
    const operation = spec.paths[pathTemplate]?.[method.toLowerCase()];
    if (!operation) throw new Error(`no operation ${method} ${pathTemplate} in the OpenAPI`);
    const response = operation.responses[String(status)];
    if (!response) throw new Error(`${method} ${pathTemplate} documents no ${status} response`);
    const schema = response.content?.[contentType]?.schema;
    if (!schema) throw new Error(`${method} ${pathTemplate} ${status} has no ${contentType} schema`);
    validate = ajv.compile(toJsonSchema(schema));
    cache.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

export function expectConforms(method: string, pathTemplate: string, status: number, body: unknown, contentType?: string): void {
  const errors = openApiErrors(method, pathTemplate, status, body, contentType);
  if (errors.length > 0) throw new Error(`${method} ${pathTemplate} ${status} does not match the OpenAPI schema:\n${errors.join('\n')}\n${JSON.stringify(body, null, 2).slice(0, 2000)}`);
}
