/**
 * Prints a streamed markdown answer in a terminal. Each line appears raw as it is written and is redrawn styled once
 * it ends, so the answer streams and still reads as markdown. Not a TTY (or NO_COLOR): the text exactly as written.
 *
 * A line-by-line renderer rather than a markdown library: a block parser cannot style a half-written answer, and
 * the maintained ones (marked 18, marked-terminal) are ESM-only, which this CommonJS project cannot load under Jest.
 */

const style = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const bold = style(1, 22);
const dim = style(2, 22);
const italic = style(3, 23);
const underline = style(4, 24);
const cyan = style(36, 39);

/** Where the answer goes: a stream, plus the terminal's width when it is one. */
export interface TerminalOut {
  write(text: string): unknown;
  columns?: number;
}

/** Takes the answer's deltas in order; `end` finishes the last line. */
export interface AnswerPrinter {
  write(delta: string): void;
  end(): void;
}

/** Inline markdown outside code spans: bold, italics, links. */
function styleInline(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*|__(.+?)__/g, (_m, a, b) => bold(a ?? b))
    .replace(/(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)|(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)/g, (_m, a, b) =>
      italic(a ?? b),
    )
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label, url) => `${underline(label)} ${dim(`(${url})`)}`);
}

/** Inline markdown of a line, leaving `code spans` unstyled inside. */
function renderInline(line: string): string {
  return line
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 1 ? cyan(part.slice(1, -1)) : styleInline(part),
    )
    .join('');
}

/** A renderer of complete lines that remembers whether it is inside a fenced code block. */
export function lineRenderer(): (line: string) => string {
  let inFence = false;
  return (line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      return dim(line);
    }
    if (inFence) return cyan(line);
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) return bold(underline(heading[1]));
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) return dim('─'.repeat(40));
    const quote = /^\s*>\s?(.*)$/.exec(line);
    if (quote) return dim(`│ ${quote[1]}`);
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
    if (bullet) return `${bullet[1]}• ${renderInline(bullet[2])}`;
    return renderInline(line);
  };
}

/** Rows a raw line takes on screen (roughly: one column per character). */
function rowsOf(text: string, columns: number): number {
  return Math.max(1, Math.ceil([...text].length / columns));
}

/** An answer printer for `out`: styled line by line when `styled`, else the text unchanged. */
export function answerPrinter(out: TerminalOut, styled: boolean): AnswerPrinter {
  if (!styled) return { write: (delta) => void out.write(delta), end: () => undefined };
  const render = lineRenderer();
  let pending = '';
  const redraw = (finish: string) => {
    if (pending) {
      // A terminal that reports no size (0 columns, as under `script`) is taken to be 80 wide.
      const rows = rowsOf(pending, out.columns || 80);
      // Back to the start of the raw line (and the rows it wrapped onto), clear them, draw it styled.
      out.write(`\r${rows > 1 ? `\x1b[${rows - 1}A` : ''}\x1b[J`);
    }
    out.write(render(pending) + finish);
    pending = '';
  };
  return {
    write(delta) {
      const lines = delta.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (i > 0) redraw('\n');
        pending += lines[i];
        out.write(lines[i]);
      }
    },
    end() {
      if (pending) redraw('');
    },
  };
}
