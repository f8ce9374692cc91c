import { openFenceAt } from '../../src/conversation/split';
import { applyOutcome, MAX_ERRORS } from '../../src/slack/reply-outcome';
import { addText, endReply, newReplyState, planNextStep } from '../../src/slack/reply-plan';
import type { CallStep, PlanContext, ReplyState, ReplyStep } from '../../src/slack/reply-state';
import { DEFAULT_REPLY_STREAM_OPTIONS, type ReplyStreamOptions } from '../../src/slack/reply-types';
import { WriteBudget } from '../../src/slack/write-budget';
import { DEFAULT_WRITE_LIMITS } from '../../src/slack/write-limits';

/** A planner's world with no Slack client: a budget on a hand-moved clock. */
function world(options: ReplyStreamOptions = {}) {
  const clock = { now: 1_000_000 };
  const budget = new WriteBudget({ now: () => clock.now });
  const state = newReplyState();
  const ctx = (extra: Partial<PlanContext> = {}): PlanContext => ({
    budget,
    now: clock.now,
    options: { ...DEFAULT_REPLY_STREAM_OPTIONS, ...options },
    team: 'T1',
    channel: 'C1',
    streamingRefused: false,
    ...extra,
  });
  const plan = (extra: Partial<PlanContext> = {}) => planNextStep(state, ctx(extra));
  /** Plans and makes the call, as Slack accepting it. */
  const accept = (step: ReplyStep, ts = 'M1') => {
    if (!isCall(step)) throw new Error(`expected a call, got ${step.kind}`);
    state.writes++;
    state.lastCallAt = clock.now;
    applyOutcome(state, step, { ok: true, ts });
  };
  return { clock, budget, state, plan, accept };
}

function isCall(step: ReplyStep): step is CallStep {
  return !['wait', 'idle', 'done'].includes(step.kind);
}

function streamOpen(state: ReplyState, accept: (step: ReplyStep) => void, plan: () => ReplyStep, text: string) {
  addText(state, text);
  const step = plan();
  expect(step.kind).toBe('start');
  accept(step);
}

describe('the first piece', () => {
  it('goes out at once as a stream start when the budget allows', () => {
    const { state, plan } = world();
    expect(plan()).toEqual({ kind: 'idle' });
    addText(state, 'Hel');
    expect(plan()).toMatchObject({ kind: 'start', text: 'Hel', answer: 'Hel' });
  });

  it('is posted at once when the stream budget is used up, with the final update reserved', () => {
    const { state, plan, budget } = world();
    for (let n = 0; n < DEFAULT_WRITE_LIMITS['chat.startStream'].team.limit; n++)
      budget.tryTake('T1', 'chat.startStream');
    addText(state, 'Hello');
    const step = plan();
    expect(step).toMatchObject({ kind: 'post', text: 'Hello', streamBudgetUsedUp: true, blocks: undefined });
    expect(step.kind === 'post' && step.finalUpdate).toBeTruthy();
    expect(budget.available('T1', 'chat.stopStream')).toBe(DEFAULT_WRITE_LIMITS['chat.stopStream'].team.limit);
  });

  it('is posted, complete with its blocks, when the workspace refused streaming and the answer is all there', () => {
    const { state, plan } = world();
    addText(state, 'Short answer.');
    endReply(state, ['feedback'], undefined);
    expect(plan({ streamingRefused: true })).toMatchObject({
      kind: 'post',
      text: 'Short answer.',
      blocks: ['feedback'],
      finalUpdate: null,
    });
  });
});

describe('writes in the middle of a message', () => {
  it('are throttled to minAppendIntervalMs and carry everything pending', () => {
    const { state, plan, accept, clock } = world({ minAppendIntervalMs: 1_500 });
    streamOpen(state, accept, plan, 'One ');
    addText(state, 'two ');
    clock.now += 400;
    expect(plan()).toEqual({ kind: 'wait', ms: 1_100 });
    addText(state, 'three');
    clock.now += 1_100;
    expect(plan()).toEqual({ kind: 'append', ts: 'M1', text: 'two three' });
  });

  it('send whole lines only near the message’s limit', () => {
    const { state, plan, accept, clock } = world({ maxStreamChars: 1_000 });
    streamOpen(state, accept, plan, `${'x'.repeat(870)}\n`);
    addText(state, 'a full line\nhalf a li');
    clock.now += 2_000;
    expect(plan()).toMatchObject({ kind: 'append', text: 'a full line\n' });
  });

  it('update a posted message with its whole text so far', () => {
    const { state, plan, accept, clock } = world();
    addText(state, 'Part one. ');
    accept(plan({ streamingRefused: true }));
    addText(state, 'Part two.');
    clock.now += 2_000;
    expect(plan()).toMatchObject({ kind: 'update', ts: 'M1', text: 'Part one. Part two.', last: false });
  });
});

describe('rolling over to a new message', () => {
  it('cuts at a safe break outside code, closing the cut code block and reopening it in the next message', () => {
    const { state, plan, accept, clock } = world({ maxStreamChars: 400 });
    const code = Array.from({ length: 40 }, (_, n) => `echo line ${n}`).join('\n');
    streamOpen(state, accept, plan, `Intro paragraph.\n\n\`\`\`bash\n${code.slice(0, 150)}`);
    addText(state, code.slice(150));
    clock.now += 2_000;
    const stop = plan();
    if (stop.kind !== 'stop') throw new Error(`expected a stop, got ${stop.kind}`);
    const first = `Intro paragraph.\n\n\`\`\`bash\n${code.slice(0, 150)}${stop.text}`;
    expect(first.length).toBeLessThanOrEqual(400);
    expect(first.endsWith('```')).toBe(true);
    expect(openFenceAt(first)).toBeNull();
    expect(stop.next).toBe('```bash\n');
    accept(stop);
    const start = plan();
    expect(start).toMatchObject({ kind: 'start' });
    expect(start.kind === 'start' && start.text.startsWith('```bash\necho line')).toBe(true);
  });
});

describe('the final write', () => {
  it('of a stream carries the blocks with the rest of the text', () => {
    const { state, plan, accept } = world();
    streamOpen(state, accept, plan, 'Answer ');
    addText(state, 'ends here.');
    endReply(state, ['feedback'], undefined);
    expect(plan()).toMatchObject({ kind: 'stop', text: 'ends here.', blocks: ['feedback'] });
  });

  it('of a posted message is an update with the blocks, made right away', () => {
    const { state, plan, accept } = world();
    addText(state, 'Answer ');
    accept(plan({ streamingRefused: true }));
    addText(state, 'ends here.');
    endReply(state, ['feedback'], undefined);
    expect(plan()).toMatchObject({ kind: 'update', text: 'Answer ends here.', blocks: ['feedback'], last: true });
  });

  it('puts the abort note after the text, outside a code block left open', () => {
    const { state, plan, accept } = world();
    streamOpen(state, accept, plan, 'Try this:\n\n```bash\nsudo jamf recon\n');
    endReply(state, undefined, '_…answer cut short_');
    expect(plan()).toMatchObject({ kind: 'stop', text: '```\n\n_…answer cut short_' });
  });
});

describe('falling back and giving up', () => {
  it('posts the text a refused stream start did not take', () => {
    const { state, plan } = world();
    addText(state, 'Hello');
    const start = plan();
    if (start.kind !== 'start') throw new Error('expected a start');
    applyOutcome(state, start, { ok: false, error: 'not_allowed' });
    expect(plan()).toMatchObject({ kind: 'post', text: 'Hello', streamBudgetUsedUp: false });
  });

  it('stops a stream whose append failed and continues the rest in a posted message', () => {
    const { state, plan, accept, clock } = world();
    streamOpen(state, accept, plan, 'First. ');
    addText(state, 'Second.');
    clock.now += 2_000;
    const append = plan();
    if (append.kind !== 'append') throw new Error('expected an append');
    applyOutcome(state, append, { ok: false, error: 'internal_error' });
    expect(plan()).toEqual({ kind: 'abandon', ts: 'M1' });
    expect(plan()).toMatchObject({ kind: 'post', text: 'Second.' });
  });

  it(`gives up after ${MAX_ERRORS} failed writes: nothing more is sent, and it is done once ended`, () => {
    const { state, plan, accept, clock } = world();
    const posting = () => plan({ streamingRefused: true });
    addText(state, 'Start. ');
    accept(posting());
    for (let n = 1; n <= MAX_ERRORS; n++) {
      expect(state.failed).toBe(false);
      addText(state, `More ${n}. `);
      clock.now += 2_000;
      const update = posting();
      expect(update).toMatchObject({ kind: 'update', last: false });
      applyOutcome(state, update as CallStep, { ok: false, error: 'internal_error' });
      if (n < MAX_ERRORS) accept(posting(), `M${n + 1}`);
    }
    expect(state.failed).toBe(true);
    expect(addText(state, 'more')).toBe('ignored');
    expect(posting()).toEqual({ kind: 'idle' });
    endReply(state, undefined, undefined);
    expect(posting()).toEqual({ kind: 'done' });
  });
});
