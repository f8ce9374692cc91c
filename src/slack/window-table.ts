// The budget's sliding windows, one per workspace and method (and per key), made on first use and forgotten once idle.
import { type Learning, type RateLimit, Window } from './budget-window';
import type { MethodLimits, WriteMethod } from './write-limits';

/** Every window the budget counts in: the workspace's per method, and the key's (e.g. the channel's) where limited. */
export class WindowTable {
  private readonly windows = new Map<string, Window>();
  private operations = 0;

  constructor(
    private readonly limits: Record<WriteMethod, MethodLimits>,
    private readonly learning: Learning,
    private readonly now: () => number,
  ) {}

  /** The workspace's window for `method`, then the key's when `key` is given and the method has a per-key limit. */
  windowsFor(team: string, method: WriteMethod, key?: string): Window[] {
    this.sweep();
    const limits = this.limits[method];
    const windows = [this.window(`${team}\u0000${method}`, limits.team, this.learning)];
    if (key !== undefined && limits.perKey)
      windows.push(this.window(`${team}\u0000${method}\u0000${key}`, limits.perKey, undefined));
    return windows;
  }

  private window(id: string, rate: RateLimit, learning: Learning | undefined): Window {
    let window = this.windows.get(id);
    if (!window) {
      window = new Window(rate, learning, this.now());
      this.windows.set(id, window);
    }
    return window;
  }

  // Forgets idle windows (teams and channels gone quiet) every so often; amortised O(1) per operation.
  private sweep(): void {
    if (++this.operations < Math.max(1_024, this.windows.size)) return;
    this.operations = 0;
    const now = this.now();
    for (const [id, window] of this.windows) if (window.idle(now)) this.windows.delete(id);
  }
}
