/**
 * Requests that are not HTTP never reach express; Node used to answer them with a bare 400. They get
 * problem+json with a searchable code like every other refusal, and the server keeps serving.
 */
import net from 'node:net';
import { startStack, type TestStack } from '../../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

function rawRequest(bytes: string | Buffer): Promise<string> {
  const { port } = new URL(stack.apiUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parse(answer: string) {
  const [head, body] = answer.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1], body: JSON.parse(body) as { status: number; code: string } };
}

describe('malformed HTTP', () => {
  it.each([
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n'],
    ['a NUL byte in a header value', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\u0000b\r\n\r\n'],
    ['a broken request line', 'GET\u0001 /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['not HTTP at all', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n'],
  ])('%s → 400 problem+json KSEFOPS_MALFORMED_HTTP', async (_name, bytes) => {
    const answer = parse(await rawRequest(bytes));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.contentType).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, code: 'KSEFOPS_MALFORMED_HTTP' });
  });

  it('headers over the limit → 431 problem+json, and the server still answers afterwards', async () => {
    const answer = parse(await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.body).toMatchObject({ status: 431, code: 'KSEFOPS_HEADERS_TOO_LARGE' });
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
  });
});
