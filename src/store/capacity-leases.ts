// Slack write capacity shared by instances through the store: each takes a few slots of a workspace's allowance at once.

/**
 * Leases of a shared allowance: several instances on one store together stay within `limit`. Backends shared by
 * instances (Redis, PostgreSQL) implement it; a process-local store needs none (its own budget is the whole story).
 */
export interface CapacityLeases {
  /**
   * Takes up to `want` of the `limit` slots of `method` in workspace `team`, each counted against the limit for
   * `holdMs` from now (by the store's clock); resolves to how many were granted, 0 when the allowance is used up.
   */
  takeCapacity(team: string, method: string, want: number, limit: number, holdMs: number): Promise<number>;
  /**
   * Gives back `slots` that were granted and never used: they stop counting against the limit for the next `holdMs`
   * (what is left of their grant's hold, so that the return never outlives the grant it offsets).
   */
  returnCapacity(team: string, method: string, slots: number, holdMs: number): Promise<void>;
}

/** The store's capacity leases, when it is shared by instances; undefined for a process-local store. */
export function capacityLeasesOf(store: object): CapacityLeases | undefined {
  const leases = store as Partial<CapacityLeases>;
  return typeof leases.takeCapacity === 'function' ? (leases as CapacityLeases) : undefined;
}

/** Leases for a store no other instance shares: every slot asked for is granted. */
export const LOCAL_CAPACITY: CapacityLeases = {
  takeCapacity: async (_team, _method, want) => want,
  returnCapacity: async () => {},
};
