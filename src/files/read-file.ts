/** Fetching one planned file and turning its bytes into an image, a text, or a reason it could not be read. */
import type { AttachmentDeps, Attachments } from './attachments';
import { bytesMatchKind, type FileKind, isAnimatedGif, looksLikeHtmlPage } from './classify';
import { type DownloadResult, downloadSlackFile } from './download';
import type { FileRef } from './file-ref';
import { extractPdfText } from './pdf-text';
import { decodeText } from './text-inline';

/** The one log line for a missing scope: Slack served its sign-in page instead of a file. */
export const SCOPE_HINT = 'Slack sent a sign-in page instead of a file: add files:read to the app and reinstall it';

/** What became of one file. */
export type Outcome =
  | { image: Attachments['images'][number] }
  | { text: { name: string; raw: string } }
  | { unreadable: string; signInPage?: boolean };

/** Downloads the file (token only to Slack), checks its first bytes against its declared kind, decodes it. */
export async function fetchAndDecode(ref: FileRef, kind: FileKind, deps: AttachmentDeps): Promise<Outcome> {
  const download = await downloadSlackFile(ref.url_private_download ?? '', {
    botToken: deps.botToken,
    slackApiUrl: deps.slackApiUrl,
    maxBytes: deps.caps.maxFileBytes,
    timeoutMs: deps.caps.downloadTimeoutMs,
    dispatcher: deps.resources.agent,
  });
  if (!download.ok) return failed(ref, download, deps);
  const { bytes, contentType } = download;
  // Without files:read Slack answers 200 with its HTML sign-in page, whatever the file was; the caller logs that once.
  const html = contentType.startsWith('text/html') || looksLikeHtmlPage(bytes);
  if (download.signInPage || (html && ref.mimetype !== 'text/html')) {
    return { unreadable: 'the bot could not access it', signInPage: true };
  }
  if (!bytesMatchKind(kind, bytes, ref.mimetype)) {
    deps.logger.debug('An attached file is not what its type says', { fileId: ref.id, declared: ref.mimetype });
    return { unreadable: 'its content does not match its type' };
  }
  return decode(ref, kind, bytes);
}

async function decode(ref: FileRef, kind: FileKind, bytes: Buffer): Promise<Outcome> {
  if (kind.kind === 'image') {
    if (kind.mimetype === 'image/gif' && isAnimatedGif(bytes)) return { unreadable: 'animated GIFs are not read' };
    return { image: { name: ref.name, mimetype: kind.mimetype, dataUrl: toDataUrl(kind.mimetype, bytes) } };
  }
  if (kind.kind === 'pdf') {
    const text = await extractPdfText(bytes).catch(() => undefined);
    if (text === undefined) return { unreadable: 'the PDF could not be read' };
    if (text.trim() === '') return { unreadable: 'the PDF has no text (a scan?)' };
    return { text: { name: ref.name, raw: text } };
  }
  return { text: { name: ref.name, raw: decodeText(bytes) } };
}

function failed(ref: FileRef, download: Extract<DownloadResult, { ok: false }>, deps: AttachmentDeps): Outcome {
  deps.logger.warn('An attached file was not downloaded', {
    fileId: ref.id,
    reason: download.reason,
    detail: download.detail,
  });
  if (download.reason === 'too_large')
    return { unreadable: `too large (over ${megabytes(deps.caps.maxFileBytes)} MB)` };
  if (download.reason === 'not_slack') return { unreadable: 'it is not stored on Slack' };
  return { unreadable: 'it could not be downloaded' };
}

function toDataUrl(mimetype: string, bytes: Buffer): string {
  return `data:${mimetype};base64,${bytes.toString('base64')}`;
}

/** A size for people: megabytes with at most one decimal. */
export const megabytes = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
