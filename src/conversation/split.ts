/** A fenced code block open at some point of a text: how to close it there and reopen it in the next piece. */
export interface Fence {
  /** The opening line as written, without its newline (e.g. "```ts"); put back at the start of the next piece. */
  open: string;
  /** The line that closes it (e.g. "```"), appended to the piece that ends inside the block. */
  close: string;
}

/** Where to end a piece: `text.slice(0, index)`, plus `fence.close` on its own line when `fence` is set. */
export interface SafeBreak {
  index: number;
  /** The code block open at `index`, or null when the cut is outside any block (or the block cannot be repaired). */
  fence: Fence | null;
}

/** One piece of a split text: `reopen + body + close` is what gets sent; the bodies join back to the original. */
export interface Piece {
  reopen: string;
  body: string;
  close: string;
}

// Liberal on indentation: models nest fences inside list items, deeper than CommonMark's three spaces.
const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;

interface FenceState extends Fence {
  marker: string;
  repairable: boolean;
}

function openingFence(line: string, maxLen: number): FenceState | null {
  const match = FENCE_OPEN.exec(line);
  if (!match) return null;
  const [, indent, marker, info] = match;
  if (marker[0] === '`' && info.includes('`')) return null;
  const close = `${indent}${marker}`;
  // Closing and reopening costs two lines; with an absurdly long info string that would eat the piece itself.
  const repairable = line.length + close.length + 2 <= maxLen / 2;
  return { open: line, close, marker, repairable };
}

function closesFence(line: string, fence: FenceState): boolean {
  const trimmed = line.trim();
  if (trimmed.length < fence.marker.length) return false;
  for (const char of trimmed) if (char !== fence.marker[0]) return false;
  return true;
}

function lineAt(text: string, start: number): { line: string; end: number } {
  const newline = text.indexOf('\n', start);
  const end = newline === -1 ? text.length : newline + 1;
  const raw = text.slice(start, newline === -1 ? text.length : newline);
  return { line: raw.endsWith('\r') ? raw.slice(0, -1) : raw, end };
}

function publicFence(fence: FenceState | null): Fence | null {
  return fence?.repairable ? { open: fence.open, close: fence.close } : null;
}

/** The code block still open at the end of `text`, if any. */
export function openFenceAt(text: string): Fence | null {
  let fence: FenceState | null = null;
  for (let pos = 0; pos < text.length; ) {
    const { line, end } = lineAt(text, pos);
    if (fence === null) fence = openingFence(line, Number.POSITIVE_INFINITY);
    else if (closesFence(line, fence)) fence = null;
    pos = end;
  }
  return fence ? { open: fence.open, close: fence.close } : null;
}

/** What to append to `piece` so the block open at its end is closed: the fence on a line of its own. */
export function fenceCloser(piece: string, fence: Fence): string {
  return piece.length === 0 || piece.endsWith('\n') ? fence.close : `\n${fence.close}`;
}

/** What to put before the rest of the text so the block continues in the next piece. */
export function fenceOpener(fence: Fence): string {
  return `${fence.open}\n`;
}

function isSurrogatePairAt(text: string, index: number): boolean {
  const high = text.charCodeAt(index - 1);
  const low = text.charCodeAt(index);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

/**
 * The best index ≤ `maxLen` (and ≥ `minIndex`) at which to end a piece of `text`: after a blank line outside code,
 * else at a line end outside code, else at a line end inside a code block (to be closed and reopened), else after
 * a space, else anywhere (never inside a surrogate pair). Breaks in the first half are used only when nothing
 * better exists, so pieces stay large. When `fence` is set, `index` leaves room for `fenceCloser` within `maxLen`.
 */
export function findSafeBreak(text: string, maxLen: number, minIndex = 0): SafeBreak {
  if (text.length <= maxLen) return { index: text.length, fence: openFenceAt(text) };
  const lowest = Math.max(minIndex, 1);
  const floor = Math.max(lowest, Math.floor(maxLen / 2));
  let paragraph = -1;
  let plainLine = -1;
  let codeLine = -1;
  let codeLineFence: FenceState | null = null;
  let anyLine = -1;
  let anyLineFence: FenceState | null = null;
  let fence: FenceState | null = null;
  let previousBlank = false;
  let pos = 0;
  for (;;) {
    if (pos >= lowest) {
      const room = fence?.repairable ? fence.close.length : 0;
      if (pos + room <= maxLen) {
        if (fence === null && previousBlank) paragraph = pos;
        else if (fence === null) plainLine = pos;
        else {
          codeLine = pos;
          codeLineFence = fence;
        }
        anyLine = pos;
        anyLineFence = fence;
      }
    }
    const { line, end } = lineAt(text, pos);
    if (end > maxLen || end >= text.length) break;
    if (fence === null) fence = openingFence(line, maxLen);
    else if (closesFence(line, fence)) fence = null;
    previousBlank = fence === null && line.trim() === '';
    pos = end;
  }
  if (paragraph >= floor) return { index: paragraph, fence: null };
  if (plainLine >= floor) return { index: plainLine, fence: null };
  if (codeLine >= floor) return { index: codeLine, fence: publicFence(codeLineFence) };

  // No line end in the second half: the line starting at `pos` runs past maxLen. Cut inside it.
  const room = fence?.repairable ? fence.close.length + 1 : 0;
  const hardLimit = maxLen - room;
  const space = text.lastIndexOf(' ', hardLimit - 1);
  if (space + 1 >= Math.max(floor, pos + 1)) return { index: space + 1, fence: publicFence(fence) };
  if (anyLine >= lowest) return { index: anyLine, fence: publicFence(anyLineFence) };
  let hard = hardLimit;
  if (isSurrogatePairAt(text, hard)) hard -= 1;
  if (hard < lowest) return { index: Math.max(minIndex, Math.min(lowest, text.length)), fence: publicFence(fence) };
  return { index: hard, fence: publicFence(fence) };
}

/**
 * Cuts markdown into pieces of at most `limit` characters (reopen + body + close), preferring paragraph breaks and
 * never leaving a code block unclosed: a block that must be cut is closed and reopened with its info string.
 */
export function splitPieces(text: string, limit: number): Piece[] {
  if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
  const pieces: Piece[] = [];
  let rest = text;
  let reopen = '';
  for (;;) {
    // Looking one past the limit is enough to know whether the rest fits.
    const window = reopen + rest.slice(0, limit + 1);
    if (window.length <= limit) {
      pieces.push({ reopen, body: rest, close: '' });
      return pieces;
    }
    const cut = findSafeBreak(window, limit, reopen.length + 1);
    const body = window.slice(reopen.length, cut.index);
    const close = cut.fence ? fenceCloser(window.slice(0, cut.index), cut.fence) : '';
    pieces.push({ reopen, body, close });
    rest = rest.slice(body.length);
    reopen = cut.fence ? fenceOpener(cut.fence) : '';
  }
}

/** `splitPieces` as the strings to send. */
export function splitMarkdown(text: string, limit: number): string[] {
  return splitPieces(text, limit).map((piece) => piece.reopen + piece.body + piece.close);
}
