/** What kind of attachment a file is, from its declared type, and whether its first bytes agree. */
import type { FileRef } from './file-ref';

/** How the bot treats a file: shown to the model, read as text, PDF text, or not read (with the reason why). */
export type FileKind =
  | { kind: 'image'; mimetype: ImageType }
  | { kind: 'text' }
  | { kind: 'pdf' }
  | { kind: 'unsupported'; reason: string };

/** The image types vision models accept. */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';

const IMAGE_TYPES: Record<string, ImageType> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/webp': 'image/webp',
  'image/gif': 'image/gif',
};

const TEXT_MIMETYPES = new Set([
  'application/json',
  'application/x-ndjson',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/javascript',
  'application/typescript',
  'application/x-sh',
  'application/sql',
  'application/x-httpd-php',
  'application/csv',
]);

// Slack's filetype for snippets and code files: these are text whatever the MIME type says.
const TEXT_FILETYPES = new Set([
  'text',
  'post',
  'csv',
  'tsv',
  'json',
  'yaml',
  'xml',
  'toml',
  'ini',
  'log',
  'markdown',
  'diff',
  'sql',
  'shell',
  'powershell',
  'bash',
  'javascript',
  'typescript',
  'python',
  'ruby',
  'go',
  'java',
  'kotlin',
  'swift',
  'c',
  'cpp',
  'csharp',
  'php',
  'rust',
  'scala',
  'perl',
  'r',
  'dockerfile',
  'html',
  'css',
  'scss',
  'vb',
  'apache',
  'nginx',
]);

/** Decides from the declared metadata only, before anything is downloaded. */
export function classifyFile(file: Pick<FileRef, 'mimetype' | 'filetype'>): FileKind {
  const { mimetype, filetype } = file;
  const image = IMAGE_TYPES[mimetype];
  if (image) return { kind: 'image', mimetype: image };
  if (mimetype === 'application/pdf' || filetype === 'pdf') return { kind: 'pdf' };
  if (mimetype.startsWith('text/') || TEXT_MIMETYPES.has(mimetype) || TEXT_FILETYPES.has(filetype)) {
    return { kind: 'text' };
  }
  return { kind: 'unsupported', reason: unsupportedReason(mimetype, filetype) };
}

function unsupportedReason(mimetype: string, filetype: string): string {
  if (mimetype.startsWith('video/')) return 'videos are not read';
  if (mimetype.startsWith('audio/')) return 'audio is not read';
  if (mimetype.startsWith('image/')) return 'this image format is not read (PNG, JPEG, WEBP and GIF are)';
  if (/zip|tar|gzip|rar|7z|compressed|archive/.test(mimetype) || /^(zip|tar|gzip|gz|rar|7z)$/.test(filetype)) {
    return 'archives are not read';
  }
  if (/officedocument|msword|ms-excel|ms-powerpoint|opendocument/.test(mimetype)) {
    return 'office documents are not read (a PDF or a screenshot is)';
  }
  return 'this file type is not read';
}

const starts = (bytes: Uint8Array, signature: number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * Whether the downloaded bytes are what the file claims to be. Without `files:read` Slack answers 200 with an HTML
 * sign-in page; this is where that is caught, whatever the content type said.
 */
export function bytesMatchKind(kind: FileKind, bytes: Uint8Array, declaredMimetype = ''): boolean {
  switch (kind.kind) {
    case 'image':
      return imageSignatureMatches(kind.mimetype, bytes);
    case 'pdf':
      return findAscii(bytes.subarray(0, 1024), '%PDF-') >= 0;
    case 'text':
      // An uploaded .html file is HTML; anything else that is HTML is the sign-in page.
      return !bytes.subarray(0, 8192).includes(0) && (declaredMimetype === 'text/html' || !looksLikeHtmlPage(bytes));
    case 'unsupported':
      return false;
  }
}

function imageSignatureMatches(mimetype: ImageType, bytes: Uint8Array): boolean {
  switch (mimetype) {
    case 'image/png':
      return starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    case 'image/jpeg':
      return starts(bytes, [0xff, 0xd8, 0xff]);
    case 'image/gif':
      return starts(bytes, ascii('GIF87a')) || starts(bytes, ascii('GIF89a'));
    case 'image/webp':
      return starts(bytes, ascii('RIFF')) && starts(bytes, ascii('WEBP'), 8);
  }
}

/** An animated GIF has a looping extension or more than one frame; vision models take only still images. */
export function isAnimatedGif(bytes: Uint8Array): boolean {
  if (findAscii(bytes, 'NETSCAPE2.0') >= 0) return true;
  let frames = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    // A graphic control extension precedes each frame.
    if (bytes[i] === 0x21 && bytes[i + 1] === 0xf9 && bytes[i + 2] === 0x04 && ++frames > 1) return true;
  }
  return false;
}

/** Whether the bytes open as an HTML document (Slack's sign-in page, where a file was expected). */
export function looksLikeHtmlPage(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

function findAscii(bytes: Uint8Array, text: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text, 0, 'latin1');
}
