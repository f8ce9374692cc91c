/** The one entry point for a question's files: fetch what can be read, say what cannot, hold image memory safely. */
import type { Agent } from 'undici';
import type { Logger } from '../logger';
import { classifyFile, type FileKind } from './classify';
import { createDownloadAgent } from './download';
import { ByteBudget, DownloadSlots } from './download-slots';
import { type FileRef, type FileReference, parseFileRef } from './file-ref';
import { fetchAndDecode, megabytes, SCOPE_HINT } from './read-file';
import { fitToTokenBudget } from './text-inline';

export { SCOPE_HINT };

/** What a question's files gave: images for the model, text for the prompt, and what could not be read and why. */
export interface Attachments {
  images: { name: string; mimetype: string; dataUrl: string }[];
  texts: { name: string; text: string; truncated: boolean }[];
  unreadable: { name: string; reason: string }[];
  /** Gives back the image memory these images hold. Call once the model request has ended; safe to call twice. */
  release(): void;
}

/** Limits on files; see DEFAULT_ATTACHMENT_CAPS. */
export interface AttachmentCaps {
  maxFileBytes: number;
  maxFilesPerMessage: number;
  maxImagesPerRequest: number;
  /** Tokens for all text files of one question together. */
  textTokenBudget: number;
  /** One download, redirects included. */
  downloadTimeoutMs: number;
  /** How long a question waits for image memory before going on without its images. */
  imageWaitMs: number;
}

export const DEFAULT_ATTACHMENT_CAPS: AttachmentCaps = {
  maxFileBytes: 20 * 1024 * 1024,
  maxFilesPerMessage: 10,
  maxImagesPerRequest: 8,
  textTokenBudget: 8_000,
  downloadTimeoutMs: 20_000,
  imageWaitMs: 60_000,
};

/** Process-wide pools: create once in the composition root, share with every question, close at shutdown. */
export interface AttachmentResources {
  slots: DownloadSlots;
  imageMemory: ByteBudget;
  agent: Agent;
}

export function createAttachmentResources(options: { downloads?: number; imageMemoryBytes?: number } = {}) {
  return {
    slots: new DownloadSlots(options.downloads ?? 4),
    imageMemory: new ByteBudget(options.imageMemoryBytes ?? 128 * 1024 * 1024),
    agent: createDownloadAgent(),
  } satisfies AttachmentResources;
}

/** What readAttachments needs. */
export interface AttachmentDeps {
  botToken: string;
  /** SLACK_API_URL: its exact origin may receive the token, besides Slack's own hosts. */
  slackApiUrl: string;
  /** Calls files.info with the bot token and returns its `file` object; may throw. */
  filesInfo(fileId: string): Promise<unknown>;
  caps: AttachmentCaps;
  /** false (OPENAI_VISION=false): images are not downloaded, and are listed as unreadable. */
  vision: boolean;
  logger: Logger;
  resources: AttachmentResources;
}

/**
 * An image takes about this many times its size in memory until its model request is sent: the downloaded bytes,
 * the data: URL (4/3), the SDK's JSON body (4/3) and the bytes written to the socket (4/3).
 */
const IMAGE_MEMORY_FACTOR = 4;

/** Reads a question's files. Never throws: a file that fails is listed in `unreadable` and the rest go on. */
export async function readAttachments(files: FileRef[], deps: AttachmentDeps): Promise<Attachments> {
  const { caps } = deps;
  const releases: Array<() => void> = [];
  const kept = files.slice(0, caps.maxFilesPerMessage);
  const refs = await Promise.all(kept.map((file) => withMetadata(file, deps)));
  let images = 0;
  const plans = refs.map((ref): { ref: FileRef; kind: FileKind } | { ref: FileRef; skip: string } => {
    if ('missing' in ref) return { ref: ref.file, skip: 'Slack did not give the bot this file' };
    const kind = classifyFile(ref);
    if (kind.kind === 'unsupported') return { ref, skip: kind.reason };
    if (kind.kind === 'image' && !deps.vision) return { ref, skip: 'images cannot be read with this set-up' };
    if (kind.kind === 'image' && ++images > caps.maxImagesPerRequest) {
      return { ref, skip: `over the limit of ${caps.maxImagesPerRequest} images per question` };
    }
    if (ref.size > caps.maxFileBytes) return { ref, skip: `too large (over ${megabytes(caps.maxFileBytes)} MB)` };
    return { ref, kind };
  });
  const outcomes = await Promise.all(
    plans.map((plan) => ('skip' in plan ? { unreadable: plan.skip } : readOne(plan.ref, plan.kind, deps, releases))),
  );
  const result: Attachments = {
    images: [],
    texts: [],
    unreadable: [],
    release: () => {
      for (const release of releases) release();
    },
  };
  const rawTexts: { name: string; raw: string }[] = [];
  outcomes.forEach((outcome, i) => {
    if ('image' in outcome) result.images.push(outcome.image);
    else if ('text' in outcome) rawTexts.push(outcome.text);
    else result.unreadable.push({ name: plans[i].ref.name, reason: outcome.unreadable });
  });
  for (const file of files.slice(caps.maxFilesPerMessage)) {
    result.unreadable.push({
      name: file.name,
      reason: `over the limit of ${caps.maxFilesPerMessage} files per message`,
    });
  }
  const share = Math.floor(caps.textTokenBudget / Math.max(1, rawTexts.length));
  for (const { name, raw } of rawTexts) result.texts.push({ name, ...fitToTokenBudget(raw, share) });
  if (outcomes.some((o) => 'signInPage' in o && o.signInPage)) deps.logger.warn(SCOPE_HINT);
  return result;
}

/**
 * The images of earlier turns, fetched anew by id (files.info, then download) for a follow-up: the most recent
 * `cap` image references, oldest first. Pass references newest last, as turns are stored.
 */
export function refetchImages(refs: FileReference[], deps: AttachmentDeps, cap: number): Promise<Attachments> {
  const images = refs.filter((ref) => classifyFile({ mimetype: ref.mimetype, filetype: '' }).kind === 'image');
  const recent = cap > 0 ? images.slice(-cap) : [];
  const files = recent.map((ref) => ({ ...ref, filetype: '', size: 0, file_access: 'check_file_info' }));
  return readAttachments(files, { ...deps, caps: { ...deps.caps, maxImagesPerRequest: cap } });
}

/** Slack Connect files (and references from earlier turns) come without a URL: files.info has it. */
async function withMetadata(file: FileRef, deps: AttachmentDeps): Promise<FileRef | { missing: true; file: FileRef }> {
  if (file.url_private_download && file.file_access !== 'check_file_info') return file;
  try {
    const info = parseFileRef(await deps.filesInfo(file.id));
    if (info?.url_private_download) return { ...info, name: file.name || info.name };
  } catch (error) {
    deps.logger.warn('files.info failed for an attached file', { fileId: file.id, error: errorName(error) });
  }
  return { missing: true, file };
}

async function readOne(ref: FileRef, kind: FileKind, deps: AttachmentDeps, releases: Array<() => void>) {
  let release: (() => void) | undefined;
  if (kind.kind === 'image') {
    const wanted = (ref.size || deps.caps.maxFileBytes) * IMAGE_MEMORY_FACTOR;
    release = await deps.resources.imageMemory.reserve(wanted, AbortSignal.timeout(deps.caps.imageWaitMs));
    if (!release) return { unreadable: 'the bot is busy with many images; ask again in a moment' };
  }
  const outcome = await deps.resources.slots.run(() => fetchAndDecode(ref, kind, deps));
  // Only an image that made it holds memory until the caller's release().
  if (release) 'image' in outcome ? releases.push(release) : release();
  return outcome;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'error');
