/** How a failed store call is tried again (a claim, a turn save): the same shape of pauses for every one of them. */
export interface Backoff {
  /** First pause before trying again; doubles up to `maxPauseMs`. */
  pauseMs: number;
  maxPauseMs: number;
  /** Past this long after the first try, no further try is made. */
  giveUpMs: number;
}
