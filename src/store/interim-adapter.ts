/** INTERIM: adapts the old store to the new interfaces until the store refactor lands. */
import type { ThreadStore } from './thread-store';

export function adapt(store: ThreadStore) {
  const s = store as any;
  return Object.assign(Object.create(store), {
    load: (k: string) => s.load(k),
    append: (k: string, t: any, e: number) => s.append(k, t, e),
    has: async (k: string) => (await s.load(k)).length > 0,
    claim: (id: string, p: string, e: number) => s.claim(id, p, e),
    noteWritten: async () => undefined,
    complete: (id: string) => s.complete(id),
    touch: (ids: string[]) => s.touch(ids, Date.now()),
    takeStale: async (ms: number) =>
      (await s.takeStale(Date.now() - ms, 0, Date.now())).map((c: any) => ({ ...c, written: [] })),
    lock: (k: string, t: number, o: number) => s.lock(k, t, o),
    renew: (k: string, tok: string, t: number) => s.renew(k, tok, t),
    unlock: (k: string, tok: string) => s.unlock(k, tok),
    deleteThread: (k: string) => s.deleteThread(k),
    deleteUser: (u: string) => s.deleteUser(u),
    ping: async () => undefined,
    close: () => s.close(),
  });
}
