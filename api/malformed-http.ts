import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Bytes that are not HTTP (a broken request line, a header with control characters, headers over
 * Node's limit) never reach express: Node answers them itself with a bare 400. They get the same
 * problem+json every other refusal has, with a code a source system's developer can search for.
 */
export function answerMalformedHttp(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: 'about:blank',
      title: tooLarge ? 'Request header fields too large' : 'Bad request',
      status,
      code: tooLarge ? 'KSEFOPS_HEADERS_TOO_LARGE' : 'KSEFOPS_MALFORMED_HTTP',
      detail: tooLarge ? 'The request headers are larger than this server accepts.' : 'The request is not valid HTTP/1.1 (request line or header).',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
