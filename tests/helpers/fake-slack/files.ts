/** Files in the fake workspace: served behind the bot token with a redirect hop, as Slack's file servers do. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlackApiError } from './methods';

/** A file a test attaches to a message. */
export interface FakeFileInput {
  name: string;
  mimetype: string;
  bytes: Uint8Array;
  /** Slack's filetype; default from the name's extension. */
  filetype?: string;
  /** Slack Connect: the event carries only the id and `file_access: check_file_info`; files.info has the rest. */
  connect?: boolean;
  /** The first hop redirects here (an absolute URL) instead of to the fake's own second hop. */
  redirectTo?: string;
  /** The download URL in the metadata, instead of the fake's own (e.g. a foreign host). */
  downloadUrl?: string;
  /** Send the body in 64 KB chunks without Content-Length, so a client can stop mid-stream. */
  chunked?: boolean;
  /** Size declared in the metadata, instead of the real one. */
  declaredSize?: number;
  /** Send the headers and the first chunk, then nothing more (until the client gives up). */
  stall?: boolean;
}

/** One request to the file server. */
export interface FileRequest {
  path: string;
  /** The Authorization header as received. */
  authorization?: string;
  /** Body bytes written before the response ended or the client went away. */
  bytesSent: number;
  /** Whether the whole body was sent. */
  completed: boolean;
}

interface StoredFile extends FakeFileInput {
  id: string;
}

const SIGN_IN_PAGE =
  '<!DOCTYPE html><html lang="en"><head><title>Sign in | Slack</title></head><body>Sign in to your workspace</body></html>';

export class FileHost {
  /** When true the files answer as they do without the files:read scope: HTTP 200 with an HTML sign-in page. */
  noFilesRead = false;
  readonly requests: FileRequest[] = [];
  /** Fulfilled requests currently sending a body (for concurrency checks), and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly files = new Map<string, StoredFile>();

  constructor(
    private readonly origin: string,
    private readonly teamId: string,
  ) {}

  /** Stores a file; returns its entry for an event's `files[]`. */
  add(input: FakeFileInput): Record<string, unknown> {
    const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
    this.files.set(id, { ...input, id });
    if (input.connect) return { id, mode: 'file_access', file_access: 'check_file_info' };
    return this.metadata(id) as Record<string, unknown>;
  }

  /** files.info's `file`. */
  info(id: unknown): Record<string, unknown> {
    const metadata = typeof id === 'string' ? this.metadata(id) : undefined;
    if (!metadata) throw new SlackApiError('file_not_found');
    return { file: metadata };
  }

  /** Serves /files-pri/… and /files-tmb/…; false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const match = path.match(/^\/(files-pri|files-tmb)\/[A-Z0-9]+-(F[A-Z0-9]+)\//);
    if (!match) return false;
    const record: FileRequest = { path, authorization: request.headers.authorization, bytesSent: 0, completed: false };
    this.requests.push(record);
    const file = this.files.get(match[2]);
    if (!file) {
      response.writeHead(404).end();
      return true;
    }
    if (match[1] === 'files-pri') {
      const next = file.redirectTo ?? `${this.origin}/files-tmb/${this.teamId}-${file.id}/download`;
      response.writeHead(302, { location: next }).end();
      return true;
    }
    if (this.noFilesRead || !/^Bearer xoxb-/.test(record.authorization ?? '')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(SIGN_IN_PAGE);
      return true;
    }
    this.send(file, record, response);
    return true;
  }

  private send(file: StoredFile, record: FileRequest, response: ServerResponse): void {
    const bytes = Buffer.from(file.bytes);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.on('close', () => this.inFlight--);
    if (!file.chunked && !file.stall) {
      response.writeHead(200, { 'content-type': file.mimetype, 'content-length': bytes.length });
      record.bytesSent = bytes.length;
      record.completed = true;
      response.end(bytes);
      return;
    }
    response.writeHead(200, { 'content-type': file.mimetype });
    const writeNext = () => {
      if (response.destroyed || (file.stall && record.bytesSent > 0)) return;
      if (record.bytesSent >= bytes.length) {
        record.completed = true;
        response.end();
        return;
      }
      const chunk = bytes.subarray(record.bytesSent, record.bytesSent + 65_536);
      record.bytesSent += chunk.length;
      response.write(chunk, () => setImmediate(writeNext));
    };
    writeNext();
  }

  private metadata(id: string): Record<string, unknown> | undefined {
    const file = this.files.get(id);
    if (!file) return undefined;
    const url = `${this.origin}/files-pri/${this.teamId}-${id}/${encodeURIComponent(file.name)}`;
    return {
      id,
      name: file.name,
      title: file.name,
      mimetype: file.mimetype,
      filetype: file.filetype ?? file.name.split('.').pop()?.toLowerCase() ?? '',
      size: file.declaredSize ?? file.bytes.length,
      mode: 'hosted',
      url_private: url,
      url_private_download: file.downloadUrl ?? `${url}?download=1`,
    };
  }
}
