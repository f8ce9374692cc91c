/** The desk book's contract, run by runStoreContract against every backend. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FeedbackRecord, QuestionRecord } from '../../src/store/desk-book';
import type { ThreadStore } from '../../src/store/thread-store';

const HOUR = 3_600_000;

export function runDeskContract(name: string, storeOf: () => ThreadStore): void {
  describe(`${name}: DeskBook contract`, () => {
    // Keys and channels are unique per run: suites may share one server.
    const channel = `C${randomUUID().slice(0, 8).toUpperCase()}`;
    const key = (label: string) => `T1:${channel}:${label}`;
    const about = { context: 'IT support', channelKind: 'channel' as const };
    const question = (ts: string, at: number): QuestionRecord => ({
      thread: key(ts),
      ts,
      answerTs: `${ts}1`,
      channel,
      context: 'IT support',
      channelKind: 'dm',
      outcome: 'answered',
      at,
      firstVisibleMs: 900,
      durationMs: 4200,
      tokensIn: 1200,
      tokensCached: 1024,
      tokensOut: 300,
      files: 1,
    });
    const feedback = (user: string, value: 'up' | 'down', at: number): FeedbackRecord => ({
      channel,
      answerTs: '100.1',
      user,
      value,
      context: 'IT support',
      at,
    });

    it('keeps the flags set on a thread, and the context of its first mark', async () => {
      const desk = storeOf().desk;
      const thread = key('flags');
      expect(await desk.thread(thread)).toBeUndefined();
      await desk.markThread(thread, 'steppedBack', about, Date.now() + HOUR);
      await desk.markThread(thread, 'handedOff', { context: 'other', channelKind: 'dm' }, Date.now() + HOUR);
      expect(await desk.thread(thread)).toMatchObject({
        key: thread,
        ...about,
        steppedBack: true,
        handedOff: true,
        resolved: false,
      });
    });

    it('forgets a thread once its record expires', async () => {
      const desk = storeOf().desk;
      const thread = key('expiring');
      await desk.markThread(thread, 'resolved', about, Date.now() + 150);
      await sleep(300);
      expect(await desk.thread(thread)).toBeUndefined();
      expect((await desk.threadsSince(0)).some((t) => t.key === thread)).toBe(false);
    });

    it('lists threads marked since a time', async () => {
      const desk = storeOf().desk;
      const since = Date.now();
      await desk.markThread(key('listed'), 'resolved', about, Date.now() + HOUR);
      const listed = (await desk.threadsSince(since)).filter((t) => t.key === key('listed'));
      expect(listed).toEqual([expect.objectContaining({ resolved: true, context: 'IT support' })]);
      expect((await desk.threadsSince(Date.now() + HOUR)).some((t) => t.key === key('listed'))).toBe(false);
    });

    it("replaces a person's feedback on an answer with their second click", async () => {
      const desk = storeOf().desk;
      const now = Date.now();
      await desk.recordFeedback(feedback('U1', 'up', now), now + HOUR);
      await desk.recordFeedback(feedback('U2', 'up', now), now + HOUR);
      await desk.recordFeedback(feedback('U1', 'down', now + 1), now + HOUR);
      const mine = (await desk.feedbackSince(now - 1)).filter((f) => f.channel === channel);
      expect(mine.sort((a, b) => a.user.localeCompare(b.user))).toEqual([
        feedback('U1', 'down', now + 1),
        feedback('U2', 'up', now),
      ]);
    });

    it("forgets a person's feedback on request, and only theirs", async () => {
      const desk = storeOf().desk;
      const now = Date.now();
      const user = `U${randomUUID().slice(0, 8).toUpperCase()}`;
      await desk.recordFeedback(feedback(user, 'down', now), now + HOUR);
      await desk.recordFeedback({ ...feedback(user, 'up', now), answerTs: '100.2' }, now + HOUR);
      await desk.recordFeedback(feedback('U3', 'up', now), now + HOUR);
      expect(await desk.forgetUser(user)).toBe(2);
      const left = (await desk.feedbackSince(now - 1)).filter((f) => f.channel === channel);
      expect(left.map((f) => f.user)).not.toContain(user);
      expect(left.map((f) => f.user)).toContain('U3');
    });

    it('keeps question records until they expire, and lists them by time', async () => {
      const desk = storeOf().desk;
      const now = Date.now();
      await desk.recordQuestion(question('1.1', now - 2 * HOUR), now + HOUR);
      await desk.recordQuestion(question('1.2', now), now + HOUR);
      await desk.recordQuestion(question('1.3', now), now + 100);
      await sleep(250);
      const mine = (await desk.questionsSince(now - HOUR)).filter((q) => q.channel === channel);
      expect(mine).toEqual([question('1.2', now)]);
    });
  });
}
