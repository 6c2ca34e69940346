import Busboy from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Request } from 'express';
import { ProblemError } from '../problem';

export interface UploadLimits {
  maxBytes: number;
  /** Allowed content types (exact, lowercase). */
  contentTypes: string[];
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  file: { tmpPath: string; name: string; contentType: string; size: number; sha256: string };
}

/**
 * Streams one multipart file to a temporary file while hashing it (SHA-256) and counting bytes;
 * the size limit stops the stream at once instead of buffering a large body.
 */
export async function receiveUpload(req: Request, limits: UploadLimits): Promise<ReceivedUpload> {
  if (!req.is('multipart/form-data')) {
    throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'Upload attachments as multipart/form-data with one "file" part.');
  }
  const fields: Record<string, string> = {};
  let file: ReceivedUpload['file'] | null = null;
  let failure: ProblemError | null = null;
  const writes: Promise<void>[] = [];
  // busboy signals 'limit' once a file *reaches* fileSize; one byte more keeps a file of exactly maxBytes allowed.
  const busboy = Busboy({ headers: req.headers, limits: { files: 1, fileSize: limits.maxBytes + 1, fields: 20, fieldSize: 4096 } });
  busboy.on('field', (name, value) => {
    fields[name] = value;
  });
  busboy.on('file', (name, stream, info) => {
    const contentType = info.mimeType.toLowerCase();
    if (name !== 'file' || !limits.contentTypes.includes(contentType)) {
      failure ??=
        name !== 'file'
          ? new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `The file part must be named "file", not "${name}".`, { errors: [{ path: [name], field: name, code: 'UNEXPECTED_FILE', message: 'unexpected file part' }] })
          : new ProblemError(415, 'ATTACHMENT_TYPE_NOT_ALLOWED', 'Content type not allowed', `"${contentType}" is not an allowed attachment type; allowed: ${limits.contentTypes.join(', ')}.`, {
              errors: [{ path: ['file'], field: 'file', code: 'ATTACHMENT_TYPE_NOT_ALLOWED', message: `content type ${contentType} not allowed` }],
            });
      stream.resume();
      return;
    }
    const tmpPath = path.join(os.tmpdir(), `ksef-ops-upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    stream.on('limit', () => {
      failure = tooLarge(limits.maxBytes);
    });
    writes.push(
      pipeline(stream, meter, createWriteStream(tmpPath)).then(() => {
        file = { tmpPath, name: info.filename || 'attachment', contentType, size, sha256: hash.digest('base64') };
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    busboy.on('close', resolve);
    busboy.on('error', reject);
    req.pipe(busboy);
  });
  await Promise.all(writes);
  const received = file as ReceivedUpload['file'] | null;
  if (!failure && received && received.size > limits.maxBytes) failure = tooLarge(limits.maxBytes);
  if (failure || !received) {
    if (received) await unlink(received.tmpPath).catch(() => undefined);
    throw failure ?? new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', 'The upload has no "file" part.', { errors: [{ path: ['file'], field: 'file', code: 'REQUIRED', message: 'is required' }] });
  }
  return { fields, file: received };
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(413, 'ATTACHMENT_TOO_LARGE', 'Attachment too large', `Attachments may have at most ${maxBytes} bytes.`, {
    errors: [{ path: ['file'], field: 'file', code: 'ATTACHMENT_TOO_LARGE', message: `larger than ${maxBytes} bytes` }],
  });
}
