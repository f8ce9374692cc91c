/** The shapes attachments are read with and into, and the process-wide pools every question shares. */
import type { Agent } from 'undici';
import type { Logger } from '../logger';
import { createDownloadAgent } from './download';
import { ByteBudget, DownloadSlots } from './download-slots';

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
