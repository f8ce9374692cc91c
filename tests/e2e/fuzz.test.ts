import { type Harness, startHarness } from './harness';
import { settle, stillAnswers, textsSent } from './replies';

/** Fixed so that a failure can be replayed; change it to explore other inputs. */
const SEED = 0x5eed2026;
const EVENTS = 4_800;
const RAW_ENVELOPES = 200;
const FUZZ_TEAM = 'T0FUZZ';
const ANSWER = 'Fuzz answer: restart the app.';
const GREETING = 'Hi! What can I help you with? Ask me here in this thread.';
const APOLOGY = /^Sorry, I couldn't answer that just now\. Please try again in a minute \(ref `[0-9a-f]{8}`\)\.$/;
const INTERNALS = /Error|at \S+ \(|node_modules|\/work\/|dist\/|stack|xox[a-z]-|xapp-|sk-|undefined|\[object Object\]/;

/** xorshift32: small, fast, and the same sequence on every machine. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Builds random and mutated Slack events from one seed. */
class Fuzzer {
  private readonly next: () => number;
  private readonly junk: Json[];
  private readonly strings: string[];

  constructor(seed: number) {
    this.next = random(seed);
    let deep: Json = 'bottom';
    for (let i = 0; i < 300; i++) deep = i % 2 ? { a: deep } : [deep];
    const soup = this.soup(4_000);
    this.strings = [
      '',
      ' ',
      '\u0000',
      'A'.repeat(60_000),
      soup,
      '<@UBOT>',
      '<!channel> <!here>',
      'D0FUZZ1',
      'C0HR',
      'C0OTHER',
      'C0FUZZ:1700000001.000100',
      '1700000001.000100',
      '1700000009.999999',
      '-1',
      'NaN',
      '__proto__',
      'message',
      'app_mention',
    ];
    this.junk = [
      null,
      true,
      false,
      0,
      -1,
      1e308,
      3.14,
      [],
      {},
      [[[]]],
      deep,
      { __proto__: { polluted: true } } as unknown as Json,
      JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as Json,
      [{ id: 'F1', name: 'x.png' }],
      ...this.strings,
    ];
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Unicode that breaks naive code: emoji, joiners, bidi overrides, combining marks, lone surrogates, controls. */
  soup(length: number): string {
    const atoms = [
      '👍🏽',
      '👨‍👩‍👧',
      '\u202Eevil',
      '\u200B',
      '\uFEFF',
      'e\u0301',
      '\uD800',
      '\uDFFF',
      '\u0007',
      '\n',
      '```',
      '<@UBOT>',
      '<#C0HR>',
      '&lt;',
      'ÿ',
      '中文',
      ' ',
      'word',
    ];
    let out = '';
    while (out.length < length) out += this.pick(atoms);
    return out;
  }

  /** A valid message or app_mention event, as a starting point for mutations. */
  template(): Record<string, Json> {
    const ts = this.pick(['1700000001.000100', '1700000002.000200', '1700000003.000300']);
    const channel = this.pick(['D0FUZZ1', 'C0FUZZ', 'C0HR']);
    const base: Record<string, Json> = {
      type: 'message',
      channel,
      channel_type: channel.startsWith('D') ? 'im' : 'channel',
      user: this.pick(['U0FUZZ1', 'U0FUZZ2']),
      team: FUZZ_TEAM,
      text: this.pick(['my laptop is slow', '<@UBOT> printer?', 'how many holidays?', '<@UBOT>']),
      ts,
      event_ts: ts,
      client_msg_id: 'c0ffee00-0000-4000-8000-000000000000',
    };
    switch (this.int(5)) {
      case 0:
        return { ...base, type: 'app_mention', text: `<@UBOT> ${base.text}` };
      case 1:
        return { ...base, thread_ts: '1700000000.000001', parent_user_id: 'U0FUZZ1' };
      case 2:
        return { ...base, subtype: 'file_share', text: '', files: [{ id: 'F0FUZZ', name: 'screenshot.png' }] };
      default:
        return base;
    }
  }

  /** One to four random changes: drop, retype, add, replace text, swap type or subtype, nest junk. */
  mutate(event: Record<string, Json>): Record<string, Json> {
    const out: Record<string, Json> = { ...event };
    const fields = [...Object.keys(out), 'bot_id', 'bot_profile', 'user_team', 'hidden', 'message', 'blocks', 'edited'];
    for (let n = 1 + this.int(4); n > 0; n--) {
      const field = this.pick(fields);
      switch (this.int(7)) {
        case 0:
          delete out[field];
          break;
        case 1:
        case 2:
          out[field] = this.pick(this.junk);
          break;
        case 3:
          out.text = this.soup(this.int(3_000));
          break;
        case 4:
          out.type = this.pick(['message', 'app_mention', 'reaction_added', '', 'MESSAGE', 'assistant_thread_started']);
          break;
        case 5:
          out.subtype = this.pick(['bot_message', 'message_changed', 'thread_broadcast', 'file_share', 'me_message']);
          break;
        default:
          out[field] = [this.pick(this.junk), { [this.pick(this.strings).slice(0, 40)]: this.pick(this.junk) }];
      }
    }
    return out;
  }

  /** An Events API body around `event`, itself sometimes broken. */
  payload(event: Json, wrap: (event: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
    const inner = event !== null && typeof event === 'object' && !Array.isArray(event) ? event : {};
    const body: Record<string, unknown> = { ...wrap(inner), event, team_id: FUZZ_TEAM, context_team_id: FUZZ_TEAM };
    if (this.int(10) === 0)
      body[this.pick(['team_id', 'type', 'authorizations', 'event_id', 'api_app_id'])] = this.pick(this.junk);
    return body;
  }

  /** A Socket Mode frame that is not a well-formed envelope. */
  rawEnvelope(event: Json): string | object {
    switch (this.int(5)) {
      case 0:
        return this.pick(['{', 'null', '[]', '"x"', '42', '{"type":"events_api"}', this.soup(200)]);
      case 1:
        return { type: 'events_api', envelope_id: `raw-${this.int(1e9)}`, payload: { event: this.pick(this.junk) } };
      case 2:
        return { type: 'events_api', envelope_id: `raw-${this.int(1e9)}` };
      case 3:
        return { type: this.pick(this.junk), envelope_id: this.pick(this.junk), payload: { event } };
      default:
        return { type: 'events_api', envelope_id: `raw-${this.int(1e9)}`, payload: this.pick(this.junk) };
    }
  }
}

describe('fuzzing the event path', () => {
  let h: Harness;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    h = await startHarness({ LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await h.close();
  });

  it(`survives ${EVENTS + RAW_ENVELOPES} random and mutated Slack events, posting nothing it should not`, async () => {
    const started = performance.now();
    h.openai.respond(() => ({ text: ANSWER, chunkChars: 1_000 }));
    const fuzz = new Fuzzer(SEED);
    let acked = 0;
    let unacked = 0;
    let raw = 0;
    for (let sent = 0; sent < EVENTS; ) {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < 100 && sent < EVENTS; i++, sent++) {
        const event = fuzz.int(8) === 0 ? fuzz.template() : fuzz.mutate(fuzz.template());
        const body = fuzz.payload(event, (inner) => h.slack.eventPayload(inner));
        batch.push(
          h.slack.deliver(body).then(
            () => acked++,
            () => unacked++,
          ),
        );
        if (fuzz.int(11) === 0 && raw < RAW_ENVELOPES) {
          h.slack.sendRaw(fuzz.rawEnvelope(event));
          raw++;
        }
      }
      await Promise.all(batch);
    }
    while (raw < RAW_ENVELOPES) {
      h.slack.sendRaw(fuzz.rawEnvelope(fuzz.mutate(fuzz.template())));
      raw++;
    }
    await settle();
    await h.slack.waitFor(() => h.bot.handler.inFlight() === 0, 20_000);

    expect(unacked).toBe(0);
    expect(h.openai.requests.length).toBeGreaterThan(0);
    expect(await stillAnswers(h)).toContain(ANSWER);
    expect(h.slack.connectionCount()).toBe(1);
    expect(rejections).toEqual([]);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();

    const botMessages = textsSent(h.slack);
    for (const text of botMessages) expect(text).not.toMatch(INTERNALS);
    const answers = h.slack.calls.filter((c) => c.method === 'chat.stopStream' || c.method === 'chat.postMessage');
    const unexpected = answers
      .map((c) => String(c.args.markdown_text ?? c.args.text ?? ''))
      .filter((text) => text !== '' && text !== ANSWER && text !== GREETING && !APOLOGY.test(text));
    expect(unexpected).toEqual([]);
    const apologies = answers.filter((c) => APOLOGY.test(String(c.args.text ?? ''))).length;
    const errors = h.logs.entries().filter((e) => e.level === 'error');

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: seed ${SEED.toString(16)}, ${EVENTS + raw} inputs (${EVENTS} events: ${acked} acked, ${unacked} not acked; ` +
        `${raw} raw envelopes), ${h.openai.requests.length - 1} answered, ${apologies} apologies, ` +
        `${errors.length} error lines, ${rejections.length} crashes, 0 leaks, ${seconds} s`,
    );
  });
});
