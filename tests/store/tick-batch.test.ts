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
});
