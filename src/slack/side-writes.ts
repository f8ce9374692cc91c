/** INTERIM: replaced by the budgeted side writer. */
import type { Logger } from '../logger';

export interface ThreadPlace {
  team: string;
  channel: string;
  threadTs: string;
}

export interface SideWriter {
  post(place: ThreadPlace, text: string): Promise<string | undefined>;
  status(place: ThreadPlace, status: string): Promise<void>;
  remove(place: Pick<ThreadPlace, 'team' | 'channel'>, ts: string): Promise<boolean>;
}

export interface SideClient {
  chat: {
    postMessage(args: { channel: string; thread_ts: string; text: string }): Promise<{ ts?: string }>;
    delete(args: { channel: string; ts: string }): Promise<unknown>;
  };
  assistant: {
    threads: { setStatus(args: { channel_id: string; thread_ts: string; status: string }): Promise<unknown> };
  };
}

export function createSideWriter(deps: { client: SideClient; logger: Logger }): SideWriter {
  const { client } = deps;
  return {
    post: (place, text) =>
      client.chat.postMessage({ channel: place.channel, thread_ts: place.threadTs, text }).then(
        (r) => r.ts,
        () => undefined,
      ),
    status: (place, status) =>
      client.assistant.threads.setStatus({ channel_id: place.channel, thread_ts: place.threadTs, status }).then(
        () => undefined,
        () => undefined,
      ),
    remove: (place, ts) =>
      client.chat.delete({ channel: place.channel, ts }).then(
        () => true,
        () => false,
      ),
  };
}
