import { timeStore } from '../../src/ops/timed-store';

/** A store-like class with a private field, async methods, a sync one and a getter. */
class Shelf {
  #items = new Map<string, string>();
  readonly label = 'shelf';
  async put(key: string, value: string): Promise<void> {
    this.#items.set(key, value);
  }
  async get(key: string): Promise<string | undefined> {
    return this.#items.get(key);
  }
  async fail(): Promise<never> {
    throw new Error('down');
  }
  size(): number {
    return this.#items.size;
  }
  get empty(): boolean {
    return this.#items.size === 0;
  }
}

class BigShelf extends Shelf {
  async clear(): Promise<void> {}
}

describe('timeStore', () => {
  it('reports every async call by method name, failures included, and behaves as the store', async () => {
    const ops: string[] = [];
    const shelf = timeStore(new Shelf(), (op, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      ops.push(op);
    });
    await shelf.put('a', '1');
    expect(await shelf.get('a')).toBe('1');
    await expect(shelf.fail()).rejects.toThrow('down');
    expect(shelf.size()).toBe(1);
    expect(shelf.empty).toBe(false);
    expect(shelf.label).toBe('shelf');
    expect(shelf).toBeInstanceOf(Shelf);
    expect(ops).toEqual(['put', 'get', 'fail']);
  });

  it('finds inherited methods and methods of plain objects, without knowing their names', async () => {
    const ops: string[] = [];
    const big = timeStore(new BigShelf(), (op) => ops.push(op));
    await big.clear();
    await big.put('k', 'v');
    const plain = timeStore({ ping: async () => 'pong' }, (op) => ops.push(op));
    expect(await plain.ping()).toBe('pong');
    expect(ops).toEqual(['clear', 'put', 'ping']);
  });
});
