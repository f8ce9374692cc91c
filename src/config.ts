import { z } from 'zod';
import { type AccessConfig, accessConfigOf, accessFields, limitFields } from './config/access-section';
import { type DeskConfig, deskConfigOf, deskFields } from './config/desk-section';
import { present } from './config/env-parsers';
import { type FilesConfig, filesConfigOf, filesFields } from './config/files-section';
import { type ModelConfig, modelConfigOf, modelFields } from './config/model-section';
import { type OpsConfig, opsConfigOf, opsFields, timeoutFields } from './config/ops-section';
import {
  type SlackConfig,
  slackBudgetFields,
  slackConfigOf,
  slackConnectionFields,
  slackStreamingFields,
} from './config/slack-section';
import { retentionFields, type StoreConfig, storeConfigOf, storeFields } from './config/store-section';
import { ConfigError } from './errors';

/** Everything the bot reads from the environment, typed and defaulted. */
export interface Config
  extends SlackConfig,
    ModelConfig,
    StoreConfig,
    OpsConfig,
    AccessConfig,
    FilesConfig,
    DeskConfig {
  /** Thread history: how long the store keeps it, and how many tokens of it a prompt may carry. */
  history: StoreConfig['history'] & ModelConfig['history'];
}

const modelSchema = z.object(modelFields);

// The order of the fields is the order a ConfigError lists its problems in.
const schema = z.object({
  ...slackConnectionFields,
  ...modelFields,
  ...storeFields,
  ...opsFields,
  ...retentionFields,
  ...timeoutFields,
  ...accessFields,
  ...slackStreamingFields,
  ...limitFields,
  ...slackBudgetFields,
  ...filesFields,
  ...deskFields,
});

/** Reads only the model, contexts and prompt settings (no Slack tokens needed); throws one ConfigError. */
export function loadModelConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): ModelConfig {
  const parsed = modelSchema.safeParse(present(env));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  return modelConfigOf(parsed.data, cwd);
}

/** Reads the environment; throws one ConfigError listing every problem (never echoing a secret's value). */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const parsed = schema.safeParse(present(env));
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const e = parsed.data;
  const model = modelConfigOf(e, cwd);
  const store = storeConfigOf(e);
  return {
    ...slackConfigOf(e),
    ...model,
    ...store,
    ...opsConfigOf(e, env, cwd),
    ...accessConfigOf(e),
    ...filesConfigOf(e),
    ...deskConfigOf(e, env),
    history: { retentionMs: store.history.retentionMs, tokenBudget: model.history.tokenBudget },
  };
}
