import type { Pacing, Question, Workload } from './workload';

/**
 * `threads` conversations at once in one workspace, each of `turns` questions: the first starts a thread in its own
 * DM, every next one is asked in that thread once the previous answer is complete (as people follow up).
 */
export async function conversations(
  work: Workload,
  args: { threads: number; turns: number; pacing: Pacing; team: string; timeoutMs: number },
): Promise<Question[]> {
  const asked: Question[] = [];
  const converse = async () => {
    let thread: { channel: string; threadTs: string } | undefined;
    for (let turn = 0; turn < args.turns; turn++) {
      const question = work.question(args.pacing, { team: args.team }, thread);
      asked.push(question);
      await work.ask(question);
      // An answer that never comes ends the conversation: nobody follows up on silence.
      if ((await work.settle([question], args.timeoutMs)) === 0 || question.threadTs === undefined) return;
      thread ??= { channel: question.channel, threadTs: question.threadTs };
    }
  };
  await Promise.all(Array.from({ length: args.threads }, converse));
  return asked;
}
