/** Slack file metadata as the bot keeps it: what an event or files.info says about a file, never its bytes. */

/** One attached file, reduced to the fields the bot needs to decide on and fetch it. Slack's field names. */
export interface FileRef {
  /** Slack file id (F…). */
  id: string;
  /** File name as shown in Slack, cleaned for use in a prompt; the id when Slack gave none. */
  name: string;
  /** Declared MIME type; '' when unknown (Slack Connect files before files.info). */
  mimetype: string;
  /** Slack's file type (png, text, javascript, pdf, zip…); '' when unknown. */
  filetype: string;
  /** Size in bytes as Slack declares it; 0 when unknown. */
  size: number;
  /** Where the bytes are (needs the bot token); absent for Slack Connect files until files.info. */
  url_private_download?: string;
  /** 'check_file_info' for Slack Connect files: their metadata comes from files.info. */
  file_access?: string;
}

/** A file remembered with a stored turn, so a follow-up can fetch it again. Never the bytes. */
export interface FileReference {
  id: string;
  name: string;
  mimetype: string;
}

/** Slack file ids are letters and digits; anything else did not come from Slack. */
const FILE_ID = /^[A-Za-z0-9]{1,32}$/;
const MAX_NAME = 120;

/** The file refs of a `message` / `app_mention` event (or files.info's `file`), skipping malformed entries. */
export function parseFileRefs(event: unknown): FileRef[] {
  if (event === null || typeof event !== 'object') return [];
  const files = (event as { files?: unknown }).files;
  if (!Array.isArray(files)) return [];
  return files.flatMap((file) => {
    const ref = parseFileRef(file);
    return ref ? [ref] : [];
  });
}

/** One entry of `files[]` or files.info's `file`; undefined when it has no usable id. */
export function parseFileRef(raw: unknown): FileRef | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const file = raw as Record<string, unknown>;
  if (typeof file.id !== 'string' || !FILE_ID.test(file.id)) return undefined;
  const url = typeof file.url_private_download === 'string' ? file.url_private_download : undefined;
  const access = typeof file.file_access === 'string' ? file.file_access : undefined;
  return {
    id: file.id,
    name: cleanName(file.name, file.id),
    mimetype: typeof file.mimetype === 'string' ? file.mimetype.toLowerCase().trim() : '',
    filetype: typeof file.filetype === 'string' ? file.filetype.toLowerCase().trim() : '',
    size: typeof file.size === 'number' && Number.isFinite(file.size) && file.size >= 0 ? file.size : 0,
    ...(url ? { url_private_download: url } : {}),
    ...(access ? { file_access: access } : {}),
  };
}

/** What a stored turn keeps of its files. */
export function fileReferences(files: FileRef[]): FileReference[] {
  return files.map(({ id, name, mimetype }) => ({ id, name, mimetype }));
}

// The name is quoted in the prompt: no line breaks, backticks or quotes that could break out of its block.
function cleanName(name: unknown, fallback: string): string {
  if (typeof name !== 'string') return fallback;
  const clean = name
    .replace(/[\p{Cc}`"]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean === '' ? fallback : clean.slice(0, MAX_NAME);
}
