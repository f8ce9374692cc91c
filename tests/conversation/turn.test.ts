import { loadHistory } from '../../src/answering/load-history';
import { inThreadOrder, type Turn } from '../../src/conversation/turn';
import { MemoryStore } from '../../src/store/memory-store';
import { recordingLogger } from '../helpers/recording-logger';

const turn = (role: Turn['role'], ts: string, text = `${role} ${ts}`): Turn => ({ role, ts, text });

describe('inThreadOrder', () => {
  it('returns turns already in order as they are', () => {
    const turns = [turn('user', '1700000000.000100'), turn('assistant', '1700000001.000200')];
    expect(inThreadOrder(turns)).toBe(turns);
  });

  it('puts an exchange saved late (a retried save) back where it was said', () => {
    const later = [turn('user', '1700000200.000001'), turn('assistant', '1700000201.000001')];
    const earlier = [turn('user', '1700000100.000001'), turn('assistant', '1700000101.000001')];
    expect(inThreadOrder([...later, ...earlier])).toEqual([...earlier, ...later]);
  });

  it('keeps each answer after its own question, also when it was posted after the next question', () => {
    const turns = [
      turn('user', '1700000100.000001'),
      turn('assistant', '1700000102.000001'),
      turn('user', '1700000101.000001'),
      turn('assistant', '1700000103.000001'),
    ];
    expect(inThreadOrder(turns)).toBe(turns);
    const [q0, a0, q1, a1] = turns;
    expect(inThreadOrder([q1, a1, q0, a0])).toEqual(turns);
  });

  it('orders by every digit of the ts, and keeps a question before its answer on an equal ts', () => {
    const turns = [
      turn('user', '1700000000.000100'),
      turn('user', '1700000000.000099'),
      turn('user', '1000000000.1'),
      turn('user', '999999999.9'),
      turn('assistant', '999999999.9'),
    ];
    expect(inThreadOrder(turns).map((t) => `${t.role} ${t.ts}`)).toEqual([
      'user 999999999.9',
      'assistant 999999999.9',
      'user 1000000000.1',
      'user 1700000000.000099',
      'user 1700000000.000100',
    ]);
  });
});

describe('loading a thread whose earlier exchange was saved after a later one', () => {
  it('gives the model the turns in the order they were said', async () => {
    const store = new MemoryStore();
    const key = 'T1:C1:1700000000.000001';
    const expires = Date.now() + 60_000;
    await store.append(key, [turn('user', '1700000200.000001'), turn('assistant', '1700000201.000001')], expires);
    await store.append(key, [turn('user', '1700000100.000001'), turn('assistant', '1700000101.000001')], expires);
    const deps = { history: store, slack: { conversations: { replies: async () => ({}) } }, botUserId: 'UBOT' };
    const message = { team: 'T1', channel: 'C1', threadTs: '1700000000.000001', ts: '1700000300.000001' };
    const turns = await loadHistory(
      { ...deps, logger: recordingLogger() },
      message as Parameters<typeof loadHistory>[1],
      () => true,
      'ref1',
    );
    expect(turns.map((t) => t.ts)).toEqual([
      '1700000100.000001',
      '1700000101.000001',
      '1700000200.000001',
      '1700000201.000001',
    ]);
    await store.close();
  });
});
