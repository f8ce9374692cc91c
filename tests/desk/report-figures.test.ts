import { deskFigures } from '../../src/desk/report-figures';
import { DEFAULT_PRICES } from '../../src/ops/prices';
import type { DeskThread, FeedbackRecord, QuestionRecord } from '../../src/store/desk-book';

const now = Date.now();

/** A question answered in a group DM ("G…" id), its 👎 and its handoff, filed by a button click (no channel type). */
function groupDmWeek() {
  const question: QuestionRecord = {
    thread: 'T1:G0TEAM:1.1',
    ts: '1.1',
    answerTs: '1.2',
    channel: 'G0TEAM',
    context: 'IT desk',
    channelKind: 'group',
    outcome: 'answered',
    at: now,
    tokensIn: 0,
    tokensCached: 0,
    tokensOut: 0,
    files: 0,
  };
  const feedback: FeedbackRecord = {
    channel: 'G0TEAM',
    answerTs: '1.2',
    user: 'U1',
    value: 'down',
    context: 'IT desk',
    at: now,
  };
  const thread: DeskThread = {
    key: 'T1:G0TEAM:1.1',
    context: 'IT desk',
    channelKind: 'channel',
    at: now,
    steppedBack: false,
    handedOff: true,
    resolved: false,
  };
  return { questions: [question], feedback: [feedback], threads: [thread] };
}

describe('desk figures', () => {
  it("files a group DM's feedback and handoff with its questions, not under a channel row of their own", () => {
    // Before: the 👎 and the handoff were guessed from the channel id and made an "IT desk / channel" row with no
    // questions, while the group row showed a question with no feedback and no handoff.
    const rows = deskFigures(groupDmWeek(), DEFAULT_PRICES, 'gpt-4o-mini');
    expect(rows.map((row) => `${row.context}/${row.channelKind}`)).toEqual(['IT desk/group', 'all/all']);
    expect(rows[0]).toMatchObject({ questions: 1, notHelpful: 1, handedOff: 1 });
  });
});
