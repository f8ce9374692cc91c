// The planner's choice of path as a workspace's write allowance fills: stream, post + one update, one whole post.
import { applyOutcome } from '../../src/slack/reply-outcome';
import { addText, endReply, newReplyState, planNextStep } from '../../src/slack/reply-plan';
import type { PlanContext, ReplyStep } from '../../src/slack/reply-state';
import { DEFAULT_REPLY_STREAM_OPTIONS } from '../../src/slack/reply-types';
import { WriteBudget } from '../../src/slack/write-budget';
import type { WriteMethod } from '../../src/slack/write-limits';

function world() {
  const clock = { now: 1_000_000 };
  const budget = new WriteBudget({ now: () => clock.now });
  const ctx = (): PlanContext => ({
    budget,
    now: clock.now,
    options: DEFAULT_REPLY_STREAM_OPTIONS,
    team: 'T1',
    channel: 'C1',
    streamingRefused: false,
  });
  const reply = () => {
    const state = newReplyState();
    const plan = () => planNextStep(state, ctx());
    const accept = (step: ReplyStep, ts = 'M1') => {
      if (step.kind === 'wait' || step.kind === 'idle' || step.kind === 'done') throw new Error(`got ${step.kind}`);
      state.lastCallAt = clock.now;
      applyOutcome(state, step, { ok: true, ts });
    };
    return { state, plan, accept };
  };
  /** Uses up a method's whole allowance in the workspace, as other answers would. */
  const useUp = (method: WriteMethod) => {
    while (budget.tryTake('T1', method)) {}
  };
  return { clock, budget, reply, useUp };
}

describe('with room in the streaming tier (calm)', () => {
  it('streams natively, and the workspace reads as calm', () => {
    const { budget, reply } = world();
    expect(budget.pressure('T1')).toBe('calm');
    const { state, plan } = reply();
    addText(state, 'Hello');
    expect(plan()).toMatchObject({ kind: 'start', text: 'Hello' });
  });
});

describe('with the streaming tier full (busy)', () => {
  it('posts the first words at once, then sends the rest in one final update, with no updates in between', () => {
    const { budget, clock, reply, useUp } = world();
    useUp('chat.startStream');
    expect(budget.pressure('T1')).toBe('busy');
    const { state, plan, accept } = reply();
    addText(state, 'First words. ');
    const post = plan();
    expect(post).toMatchObject({ kind: 'post', text: 'First words. ', quiet: true });
    accept(post);
    const updatesBefore = budget.available('T1', 'chat.update');
    for (let n = 0; n < 10; n++) {
      clock.now += 2_000;
      addText(state, `more ${n}. `);
      expect(plan()).toEqual({ kind: 'idle' });
    }
    endReply(state, ['feedback'], undefined);
    const update = plan();
    expect(update).toMatchObject({ kind: 'update', last: true, blocks: ['feedback'] });
    expect(update.kind === 'update' && update.text).toContain('First words. more 0. ');
    expect(update.kind === 'update' && update.text.endsWith('more 9. ')).toBe(true);
    // The final update was reserved with the post: it takes no new slot.
    expect(budget.available('T1', 'chat.update')).toBe(updatesBefore);
  });

  it('keeps streams already open streaming', () => {
    const { clock, reply, useUp } = world();
    const { state, plan, accept } = reply();
    addText(state, 'Streaming. ');
    accept(plan());
    useUp('chat.startStream');
    addText(state, 'still');
    clock.now += 2_000;
    expect(plan()).toMatchObject({ kind: 'append', text: 'still' });
  });
});

describe('with the update tier full too (saturated)', () => {
  it('waits for the model to finish without timers, then posts the whole answer with its blocks in one call', () => {
    const { budget, reply, useUp } = world();
    useUp('chat.startStream');
    useUp('chat.update');
    expect(budget.pressure('T1')).toBe('saturated');
    const { state, plan, accept } = reply();
    addText(state, 'The whole ');
    // Waiting in the budget's line for an update slot: the budget keeps the one timer, the reply none.
    expect(plan()).toMatchObject({ kind: 'wait', method: 'chat.update' });
    addText(state, 'answer.');
    expect(plan()).toMatchObject({ kind: 'wait', method: 'chat.update' });
    endReply(state, ['feedback'], undefined);
    const post = plan();
    expect(post).toMatchObject({ kind: 'post', text: 'The whole answer.', blocks: ['feedback'], finalUpdate: null });
    accept(post);
    expect(plan()).toEqual({ kind: 'done' });
    expect(state.delivered).toBe('The whole answer.');
  });

  it('posts a long answer as whole messages, closing a code block cut between them and reopening it', () => {
    const { clock, reply, useUp } = world();
    useUp('chat.startStream');
    useUp('chat.update');
    const { state, plan, accept } = reply();
    const code = Array.from({ length: 400 }, (_, n) => `echo line ${n}`).join('\n');
    const answer = `Run this:\n\n\`\`\`bash\n${code}\n\`\`\`\n`;
    addText(state, answer);
    endReply(state, undefined, undefined);
    const texts: string[] = [];
    for (let n = 1; n < 20; n++) {
      const step = plan();
      if (step.kind === 'done') break;
      if (step.kind === 'wait') {
        // The channel allows one post a second.
        expect(step).toMatchObject({ method: 'chat.postMessage', key: 'C1' });
        clock.now += step.ms;
        continue;
      }
      expect(step).toMatchObject({ kind: 'post', finalUpdate: null });
      if (step.kind === 'post') texts.push(step.text);
      accept(step, `M${n}`);
    }
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(text.match(/```/g)?.length ?? 0).toBe(2);
    expect(state.delivered).toBe(answer);
  });

  it('names the slot it waits for, so the budget (not the reply) keeps the timer', () => {
    const { reply, useUp, budget } = world();
    useUp('chat.startStream');
    useUp('chat.update');
    while (budget.tryTake('T1', 'chat.postMessage', `other-${Math.random()}`)) {}
    const { state, plan } = reply();
    addText(state, 'Answer.');
    endReply(state, undefined, undefined);
    expect(plan()).toMatchObject({ kind: 'wait', method: 'chat.postMessage' });
  });
});
