/** Driving the support desk end to end: button clicks as Slack sends them, a webhook receiver, the desk's contexts. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeSlack, StoredMessage } from '../helpers/fake-slack';

/** IT claims C0IT and escalates to C0ESC; Facilities (C0FAC) has no channel, only help text; the lab never steps back. */
export const DESK_CONTEXTS = {
  'it.md': `---
name: IT desk
channels: [C0IT]
escalation: { channel: C0ESC, mention: "<!subteam^S0HELP>", webhook_env: DESK_WEBHOOK_URL }
handoff_phrases: ["je veux parler à quelqu'un"]
---
Laptops are MacBooks. The VPN client is GlobalProtect.
`,
  'facilities.md': `---
name: Facilities
channels: [C0FAC]
escalation: { help: "Call the facilities desk on 555-0100." }
---
Badges are issued at reception.
`,
  'lab.md': `---
name: Lab
channels: [C0LAB]
step_back: false
---
The lab's printers are on floor 3.
`,
};

/** A `block_actions` payload for a click on `actionId` under `message` (or an ephemeral offer in `threadTs`). */
export function click(
  slack: FakeSlack,
  input: {
    user: string;
    channel: string;
    actionId: string;
    value?: string;
    message?: StoredMessage;
    threadTs?: string;
  },
): Record<string, unknown> {
  const { message } = input;
  const threadTs = message?.thread_ts ?? input.threadTs;
  return {
    type: 'block_actions',
    user: { id: input.user, team_id: slack.teamId, username: input.user.toLowerCase() },
    api_app_id: slack.appId,
    token: 'fake-verification-token',
    team: { id: slack.teamId, domain: 'fake' },
    channel: { id: input.channel, name: input.channel.toLowerCase() },
    container: {
      type: 'message',
      channel_id: input.channel,
      is_ephemeral: message === undefined,
      ...(message ? { message_ts: message.ts } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    },
    ...(message
      ? { message: { type: 'message', ts: message.ts, thread_ts: message.thread_ts, text: message.text } }
      : {}),
    trigger_id: '1.2.fake',
    response_url: 'https://hooks.slack.com/actions/fake',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        ...(input.value ? { value: input.value } : {}),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}

/** A local HTTP receiver for the handoff webhook: answers the scripted statuses in turn, then 200. */
export async function startWebhookReceiver(statuses: number[] = []) {
  const bodies: unknown[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/desk?secret=abc123`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
