/** Reads one knowledge file by type: markdown (front matter), plain text, HTML and PDF, plus sidecar metadata. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { htmlMetadata, htmlToText } from './html-text';
import type { LoadedDocument, ReadPdf, Section } from './passage';
import { markdownSections, plainSections } from './sections';

/** The file types a knowledge folder may hold, by extension. */
const KINDS = {
  '.md': 'md',
  '.markdown': 'md',
  '.txt': 'txt',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
} as const;
type Kind = (typeof KINDS)[keyof typeof KINDS];

/** Metadata for a non-markdown file lives next to it: `guide.pdf.meta.yml` with `title:` and `url:`. */
export const SIDECAR_SUFFIX = '.meta.yml';

export function kindOf(file: string): Kind | undefined {
  return KINDS[path.extname(file).toLowerCase() as keyof typeof KINDS];
}

/** Why a file was skipped; its message names no content, only the reason. */
export class UnreadableDocument extends Error {
  override name = 'UnreadableDocument';
}

interface Meta {
  title?: string;
  url?: string;
}

/** `title` and `url` from parsed YAML, ignoring anything else or of the wrong type. */
function metaOf(data: unknown): Meta {
  if (!data || typeof data !== 'object') return {};
  const { title, url } = data as Record<string, unknown>;
  return {
    title: typeof title === 'string' && title.trim() ? title.trim() : undefined,
    url: typeof url === 'string' && /^https?:\/\//i.test(url.trim()) ? url.trim() : undefined,
  };
}

function parseMeta(yaml: string, where: string): Meta {
  try {
    return metaOf(parseYaml(yaml));
  } catch (err) {
    throw new UnreadableDocument(
      `${where} is not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : err})`,
    );
  }
}

async function readSidecar(file: string): Promise<Meta> {
  const yaml = await readFile(file + SIDECAR_SUFFIX, 'utf8').catch(() => undefined);
  return yaml === undefined ? {} : parseMeta(yaml, `its ${SIDECAR_SUFFIX} file`);
}

/** "vpn-mac_setup.md" → "Vpn mac setup": the last resort for a title. */
function titleFromName(file: string): string {
  const base = path
    .basename(file)
    .replace(/\.[^.]+$/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  return base.charAt(0).toUpperCase() + base.slice(1);
}

function readMarkdown(source: string): { meta: Meta; sections: Section[] } {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const end = lines[0]?.trim() === '---' ? lines.findIndex((line, i) => i > 0 && line.trim() === '---') : -1;
  const meta = end > 0 ? parseMeta(lines.slice(1, end).join('\n'), 'its front matter') : {};
  const body = (end > 0 ? lines.slice(end + 1).join('\n') : text).replace(/<!--[\s\S]*?-->/g, '');
  return { meta, sections: markdownSections(body) };
}

async function readByKind(kind: Kind, file: string, readPdf: ReadPdf | undefined) {
  switch (kind) {
    case 'md':
      return readMarkdown(await readFile(file, 'utf8'));
    case 'txt':
      return { meta: {}, sections: plainSections((await readFile(file, 'utf8')).replace(/\r\n?/g, '\n')) };
    case 'html': {
      const html = await readFile(file, 'utf8');
      return { meta: htmlMetadata(html), sections: markdownSections(htmlToText(html)) };
    }
    case 'pdf': {
      if (!readPdf) throw new UnreadableDocument('PDF reading is not available');
      const bytes = await readFile(file);
      const text = await readPdf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).catch((err) => {
        throw new UnreadableDocument(`the PDF cannot be read (${err instanceof Error ? err.name : 'error'})`);
      });
      return { meta: {}, sections: plainSections(text.replace(/\r\n?/g, '\n')) };
    }
  }
}

/** Reads a file into titled sections. Throws UnreadableDocument (or a file-system error) when it cannot. */
export async function readDocument(file: string, readPdf?: ReadPdf): Promise<LoadedDocument> {
  const kind = kindOf(file);
  if (!kind) throw new UnreadableDocument('not a supported file type');
  const { meta, sections } = await readByKind(kind, file, readPdf);
  const sidecar = kind === 'md' ? {} : await readSidecar(file);
  const firstH1 = sections.find((section) => section.headingPath.length > 0)?.headingPath[0];
  return {
    title: sidecar.title ?? meta.title ?? firstH1 ?? titleFromName(file),
    url: sidecar.url ?? meta.url,
    sections,
  };
}
