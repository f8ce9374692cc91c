import { batchPerTick } from '../../src/store/tick-batch';

describe('batchPerTick', () => {
  it('commits the calls made in one tick together, each settling with its own result', async () => {
    const batches: number[][] = [];
    const double = batchPerTick(async (batch: number[]) => {
      batches.push(batch);
      return batch.map((n) => n * 2);
    });
    expect(await Promise.all([double(1), double(2), double(3)])).toEqual([2, 4, 6]);
    expect(await double(4)).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('fails every call of a batch whose commit fails, and the next batch afresh', async () => {
    let fail = true;
    const commit = batchPerTick(async (batch: string[]) => {
      if (fail) throw new Error('database gone');
      return batch;
    });
    const results = await Promise.allSettled([commit('a'), commit('b')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await commit('c')).toBe('c');
  });

  it('flushes when its schedule says: calls made in later ticks before then join the batch', async () => {
    const batches: number[][] = [];
    const flushes: (() => void)[] = [];
    const commit = batchPerTick(
      async (batch: number[]) => {
        batches.push(batch);
        return batch;
      },
      (flush) => flushes.push(flush),
    );
    const first = commit(1);
    await Promise.resolve();
    const second = commit(2);
    expect(flushes).toHaveLength(1);
    flushes[0]?.();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(batches).toEqual([[1, 2]]);
  });
});
