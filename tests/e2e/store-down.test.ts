import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createClient } from 'redis';
import { messagesOf } from '../helpers/fake-openai';
import { TcpProxy } from '../helpers/tcp-proxy';
import { type Harness, startHarness } from './harness';

const run = randomUUID().slice(0, 8);

/** Answers through a store outage: without history while the store is away, with it again once it is back. */
async function throughOutage(proxy: TcpProxy, storeUrl: string): Promise<void> {
  const h: Harness = await startHarness({ STORE_URL: storeUrl, LOG_LEVEL: 'info' });
  const answered = (channel: string, ts: string, count = 1) =>
    h.slack.waitFor(() => {
      const replies = h.slack.botReplies(channel, ts).filter((m) => !m.streaming);
      return replies.length >= count ? replies : undefined;
    }, 30_000);
  try {
    h.openai.respond(() => ({ text: 'Try turning it off and on again.' }));
    const first = await h.slack.userMessage({ channel: 'D0OUT', user: 'U1', text: 'wifi is down' });
    await answered('D0OUT', first.ts);
    await h.slack.waitFor(() => h.logs.entries().some((e) => e.message === 'answered'));

    await proxy.stop();
    await h.slack.userMessage({ channel: 'D0OUT', user: 'U1', text: 'still down', threadTs: first.ts });
    const reply = await answered('D0OUT', first.ts, 2);
    expect(reply[1].text).toBe('Try turning it off and on again.');
    // Its memory is away, so it reads the thread from Slack instead.
    expect(messagesOf(h.openai.requests[1]).map((m) => m.content)).toEqual([
      '<@U1> wrote: wifi is down',
      'Try turning it off and on again.',
      'still down',
    ]);
    expect(
      h.logs.entries().some((e) => e.level === 'warn' && e.message === 'store unreachable: answering without memory'),
    ).toBe(true);

    await proxy.start();
    // The store's client reconnects by itself; ask again until an answer is built from stored history.
    let recovered = false;
    for (let attempt = 0; attempt < 20 && !recovered; attempt++) {
      const before = h.openai.requests.length;
      const count = h.slack.botReplies('D0OUT', first.ts).length;
      await h.slack.userMessage({ channel: 'D0OUT', user: 'U1', text: `back? ${attempt}`, threadTs: first.ts });
      await answered('D0OUT', first.ts, count + 1).catch(() => undefined);
      recovered = messagesOf(h.openai.requests[before]).at(0)?.content === 'wifi is down';
      if (!recovered) await new Promise((r) => setTimeout(r, 250));
    }
    if (!recovered) console.log(h.logs.lines.slice(-40).join('\n'));
    expect(recovered).toBe(true);
    expect(h.logs.lines.join('\n')).not.toMatch(/\n\s+at /);
  } catch (err) {
    console.log(h.logs.lines.slice(-30).join('\n'));
    throw err;
  } finally {
    await h.close();
    await proxy.stop().catch(() => undefined);
  }
}

describe('a store outage', () => {
  jest.setTimeout(60_000);

  it('on Redis: keeps answering without memory, and recovers by itself', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: 6379 });
    await proxy.start();
    const prefix = `out-${run}:`;
    try {
      await throughOutage(proxy, `redis://127.0.0.1:${proxy.port}?prefix=${prefix}`);
    } finally {
      const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.del(keys);
      }
      await client.close();
    }
  });

  it('on PostgreSQL: keeps answering without memory, and recovers by itself', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
    await proxy.start();
    const schema = `out_${run}`;
    try {
      await throughOutage(proxy, `postgres://postgres@127.0.0.1:${proxy.port}/test?schema=${schema}`);
    } finally {
      const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
