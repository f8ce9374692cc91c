/** A fake Slack serving files, a foreign host that must never be reached, and readAttachments' deps, for file tests. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';
import {
  type AttachmentCaps,
  type AttachmentDeps,
  createAttachmentResources,
  DEFAULT_ATTACHMENT_CAPS,
} from '../../src/files/attachments';
import { type FileRef, parseFileRefs } from '../../src/files/file-ref';
import { type FakeFileInput, type FakeSlack, startFakeSlack } from './fake-slack';
import { type RecordingLogger, recordingLogger } from './recording-logger';

export const BOT_TOKEN = 'xoxb-files-test-token';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** PNG-signed bytes with a recognisable payload (the reader checks the signature, not the pixels). */
export function png(payload: string, size = 2048): Buffer {
  const bytes = Buffer.alloc(size, 0x41);
  Buffer.from(PNG_SIGNATURE).copy(bytes);
  Buffer.from(payload).copy(bytes, PNG_SIGNATURE.length);
  return bytes;
}

export class FileWorld {
  readonly logger: RecordingLogger = recordingLogger();
  resources = createAttachmentResources({ downloads: 4 });

  private constructor(
    readonly slack: FakeSlack,
    private readonly foreignServer: Server,
    /** Requests that reached the foreign host: there must be none. */
    readonly foreignRequests: IncomingMessage[],
  ) {}

  static async start(): Promise<FileWorld> {
    const slack = await startFakeSlack();
    const requests: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      requests.push(req);
      res.writeHead(200, { 'content-type': 'image/png' }).end(png('foreign'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FileWorld(slack, server, requests);
  }

  /** Base URL of a host that is not Slack. */
  get foreignUrl(): string {
    return `http://127.0.0.1:${(this.foreignServer.address() as AddressInfo).port}`;
  }

  /** readAttachments' deps against the fake, files.info through the real WebClient. */
  deps(overrides: Partial<AttachmentDeps> = {}, caps: Partial<AttachmentCaps> = {}): AttachmentDeps {
    const client = new WebClient(BOT_TOKEN, { slackApiUrl: this.slack.apiUrl, logLevel: LogLevel.ERROR });
    return {
      botToken: BOT_TOKEN,
      slackApiUrl: this.slack.apiUrl,
      filesInfo: async (file) => (await client.files.info({ file })).file,
      caps: { ...DEFAULT_ATTACHMENT_CAPS, ...caps },
      vision: true,
      logger: this.logger,
      resources: this.resources,
      ...overrides,
    };
  }

  /** Files as they arrive in a message event. */
  attach(...inputs: FakeFileInput[]): FileRef[] {
    return parseFileRefs({ files: inputs.map((input) => this.slack.files.add(input)) });
  }

  async close(): Promise<void> {
    await this.resources.agent.close();
    await this.slack.close();
    await new Promise<void>((resolve) => this.foreignServer.close(() => resolve()));
  }
}
