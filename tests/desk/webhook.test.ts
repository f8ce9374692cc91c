import { sendWebhook, WEBHOOK_ATTEMPTS } from '../../src/desk/webhook';
import { startWebhookReceiver } from '../e2e/desk-helpers';
import { recordingLogger } from '../helpers/recording-logger';

const payload = {
  type: 'handoff' as const,
  context: 'IT desk',
  team: 'T1',
  channel: 'C0IT',
  thread_ts: '1.1',
  asker: 'U1',
  summary: 'VPN drops',
  at: '2026-11-28T00:00:00.000Z',
};

describe('sendWebhook', () => {
  it('gives up after a bounded number of attempts, never logging the URL', async () => {
    const receiver = await startWebhookReceiver([500, 502, 503, 504]);
    const logger = recordingLogger();
    expect(await sendWebhook(receiver.url, payload, logger, 5)).toBe(false);
    expect(receiver.bodies).toHaveLength(WEBHOOK_ATTEMPTS);
    expect(JSON.stringify(logger.lines)).not.toContain('secret=abc123');
    expect(JSON.stringify(logger.lines)).not.toContain('127.0.0.1');
    await receiver.close();
  });

  it('does not retry a request the receiver refuses (4xx)', async () => {
    const receiver = await startWebhookReceiver([400]);
    expect(await sendWebhook(receiver.url, payload, recordingLogger(), 5)).toBe(false);
    expect(receiver.bodies).toEqual([payload]);
    await receiver.close();
  });

  it('reports an unreachable receiver without its address', async () => {
    const logger = recordingLogger();
    expect(await sendWebhook('http://127.0.0.1:1/hook?token=zzz', payload, logger, 5)).toBe(false);
    expect(JSON.stringify(logger.lines)).not.toContain('zzz');
  });
});
