import type { SocketModeReceiver, SocketModeReceiverProcessEventErrorHandlerArgs } from '@slack/bolt';
import type { Logger } from '../logger';

type Listener = (...args: unknown[]) => unknown;

/**
 * @slack/socket-mode 3.1 handles each WebSocket message in an async listener that never catches: a malformed
 * envelope (`null`, no `payload`, `event: null`) rejects a promise nobody awaits, and a process without an
 * `unhandledRejection` handler dies of it. Wraps that listener so such a message is logged and dropped instead.
 */
export function guardSocketMessages(receiver: SocketModeReceiver, logger: Logger): void {
  const { client } = receiver;
  const dropped = (err: unknown) =>
    logger.warn('malformed Socket Mode message dropped', { error: err instanceof Error ? err.message : String(err) });
  for (const listener of client.listeners('ws_message') as Listener[]) {
    client.off('ws_message', listener);
    client.on('ws_message', (...args: unknown[]) => {
      try {
        const result = listener.apply(client, args);
        if (result instanceof Promise) result.catch(dropped);
      } catch (err) {
        dropped(err);
      }
    });
  }
}

/**
 * For SocketModeReceiver's `processEventErrorHandler`. Bolt acks an event only once it could read it, so a
 * malformed one (a `null` user or channel) stays unacked and Slack sends it three more times, failing alike each
 * time. Listener errors never get here (the app's error handler takes them): what does cannot succeed on a retry.
 */
export function ackUnprocessable(logger: Logger) {
  return async ({ error }: SocketModeReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    logger.warn('Slack event could not be processed; acked so that Slack does not retry it', {
      error: { name: error.name, message: error.message.slice(0, 200) },
    });
    return true;
  };
}
