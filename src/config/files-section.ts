import { bool, int, type ParsedEnv } from './env-parsers';

/** Attachments: what is downloaded, and what reaches the model. */
export const filesFields = {
  OPENAI_VISION: bool('OPENAI_VISION', true),
  MAX_FILE_MB: int('MAX_FILE_MB', 20, 1, 50),
  MAX_FILES_PER_MESSAGE: int('MAX_FILES_PER_MESSAGE', 10, 0, 50),
  MAX_IMAGES_PER_REQUEST: int('MAX_IMAGES_PER_REQUEST', 8, 0, 50),
  FILE_TEXT_TOKEN_BUDGET: int('FILE_TEXT_TOKEN_BUDGET', 8_000, 0, 200_000),
};

/** The attachments part of the Config. */
export interface FilesConfig {
  /** Attachments: whether images go to the model, and the caps on what is downloaded and inlined. */
  files: {
    vision: boolean;
    maxFileBytes: number;
    maxFilesPerMessage: number;
    maxImagesPerRequest: number;
    textTokenBudget: number;
  };
}

export function filesConfigOf(e: ParsedEnv<typeof filesFields>): FilesConfig {
  return {
    files: {
      vision: e.OPENAI_VISION,
      maxFileBytes: e.MAX_FILE_MB * 1024 * 1024,
      maxFilesPerMessage: e.MAX_FILES_PER_MESSAGE,
      maxImagesPerRequest: e.MAX_IMAGES_PER_REQUEST,
      textTokenBudget: e.FILE_TEXT_TOKEN_BUDGET,
    },
  };
}
