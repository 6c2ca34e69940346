import Busboy from 'busboy';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Request } from 'express';
import { textProblem, TEXT_INVALID_CHARACTER } from '../../domain/text';
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
  // No prototype: a part named "__proto__" is then an ordinary (refused) field, never the object's prototype.
  const fields: Record<string, string> = Object.create(null);
  let file: ReceivedUpload['file'] | null = null;
  let failure: ProblemError | null = null;
  const writes: Promise<void>[] = [];
  const tmpPaths: string[] = [];
  let busboy: Busboy.Busboy;
  try {
    // busboy.{fileSize} signals 'limit' once a file *reaches* it; one byte more keeps a file of exactly maxBytes allowed.
    // File names are UTF-8 ("Faktura źródłowa.pdf"), as browsers send them; busboy's default would read Latin-1.
    busboy = Busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: limits.maxBytes + 1, fields: 20, fieldSize: 4096, parts: 25, headerPairs: 50 } });
  } catch (error) {
    // A multipart content type without a usable boundary: the body cannot be read at all.
    throw malformed(`the Content-Type header cannot be used: ${(error as Error).message}`);
  }
  busboy.on('field', (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) {
      failure ??= new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `The form field "${name.slice(0, 60)}" is longer than 4096 bytes.`, { errors: [{ path: [name], field: name, code: 'FIELD_TOO_LONG', message: 'longer than 4096 bytes' }] });
      return;
    }
    fields[name] = value;
  });
  busboy.on('file', (name, stream, info) => {
    const contentType = info.mimeType.toLowerCase();
    // The file name is stored and shown: the same text rule as every other field.
    const nameProblem = info.filename ? textProblem(info.filename, 'line') : null;
    if (name !== 'file' || !limits.contentTypes.includes(contentType) || nameProblem || (info.filename?.length ?? 0) > 255) {
      failure ??=
        name !== 'file'
          ? new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', `The file part must be named "file", not "${name.slice(0, 60)}".`, { errors: [{ path: [name], field: name, code: 'UNEXPECTED_FILE', message: 'unexpected file part' }] })
          : nameProblem || (info.filename?.length ?? 0) > 255
            ? new ProblemError(400, nameProblem ? TEXT_INVALID_CHARACTER : 'VALIDATION_FAILED', 'Invalid request', `The file name ${nameProblem ?? 'is longer than 255 characters'}.`, {
                errors: [{ path: ['file', 'filename'], field: 'file.filename', code: nameProblem ? TEXT_INVALID_CHARACTER : 'SCHEMA_TOO_BIG', message: nameProblem ?? 'longer than 255 characters' }],
              })
            : new ProblemError(415, 'ATTACHMENT_TYPE_NOT_ALLOWED', 'Content type not allowed', `"${contentType.slice(0, 100)}" is not an allowed attachment type; allowed: ${limits.contentTypes.join(', ')}.`, {
                errors: [{ path: ['file'], field: 'file', code: 'ATTACHMENT_TYPE_NOT_ALLOWED', message: `content type ${contentType.slice(0, 100)} not allowed` }],
              });
      stream.resume();
      return;
    }
    const tmpPath = path.join(os.tmpdir(), `ksef-ops-upload-${randomUUID()}`);
    tmpPaths.push(tmpPath);
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
  const parsed = await new Promise<ProblemError | null>((resolve) => {
    busboy.on('close', () => resolve(null));
    // Malformed part headers, a missing closing boundary, a body cut short: the client's fault, never a 500.
    busboy.on('error', (error: Error) => resolve(malformed(error.message)));
    req.on('error', (error: Error) => resolve(malformed(error.message)));
    req.pipe(busboy);
  });
  const written = await Promise.allSettled(writes);
  failure = parsed ?? failure ?? (written.some((w) => w.status === 'rejected') ? malformed('the file part ended unexpectedly') : null);
  const received = file as ReceivedUpload['file'] | null;
  if (!failure && received && received.size > limits.maxBytes) failure = tooLarge(limits.maxBytes);
  if (failure || !received) {
    req.unpipe(busboy);
    await Promise.all(tmpPaths.map((p) => unlink(p).catch(() => undefined)));
    throw failure ?? new ProblemError(400, 'VALIDATION_FAILED', 'Invalid request', 'The upload has no "file" part.', { errors: [{ path: ['file'], field: 'file', code: 'REQUIRED', message: 'is required' }] });
  }
  return { fields: { ...fields }, file: received };
}

function malformed(reason: string): ProblemError {
  return new ProblemError(400, 'KSEFOPS_MALFORMED_MULTIPART', 'Malformed upload', `The multipart/form-data body cannot be read: ${reason.slice(0, 200)}. Send one part named "file" (and optional fields) with a boundary as in the Content-Type header.`, {
    errors: [{ path: [], field: '(body)', code: 'KSEFOPS_MALFORMED_MULTIPART', message: reason.slice(0, 200) }],
  });
}

function tooLarge(maxBytes: number): ProblemError {
  return new ProblemError(413, 'ATTACHMENT_TOO_LARGE', 'Attachment too large', `Attachments may have at most ${maxBytes} bytes.`, {
    errors: [{ path: ['file'], field: 'file', code: 'ATTACHMENT_TOO_LARGE', message: `larger than ${maxBytes} bytes` }],
  });
}
