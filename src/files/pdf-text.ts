/** Text of a PDF, extracted by Mozilla's pdf.js in a worker thread so a hostile or huge PDF cannot stall the bot. */
import { Worker } from 'node:worker_threads';

/** Limits on one extraction; the defaults suit a chat attachment. */
export interface PdfTextOptions {
  /** Stop after this many pages. Default 200. */
  maxPages?: number;
  /** Stop collecting text past this many characters. Default 2,000,000. */
  maxChars?: number;
  /** The worker is terminated after this long. Default 20 s. */
  timeoutMs?: number;
  /** Heap cap of the worker thread. Default 256 MB. */
  maxHeapMb?: number;
}

/** Thrown when a PDF cannot be read (not a PDF, encrypted, too slow, too big for the worker's heap). */
export class PdfTextError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PdfTextError';
  }
}

/*
 * pdf.js ships only ES modules. The project is CommonJS (tsc turns `import()` into `require()`, and Jest's VM cannot
 * run a dynamic import without --experimental-vm-modules), so the module is imported inside a worker thread: a real
 * Node context where `import()` is native, whatever loaded this file. The worker is also where the CPU work belongs,
 * and it gives a heap cap and a kill switch. Its stdout/stderr are captured and dropped: pdf.js warnings may quote
 * the document, and file contents never reach the logs.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
(async () => {
  const { modulePath, workerPath, fontsPath, bytes, maxPages, maxChars } = workerData;
  globalThis.pdfjsWorker = await import(pathToFileURL(workerPath).href);
  const pdfjs = await import(pathToFileURL(modulePath).href);
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    verbosity: 0,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: fontsPath,
  });
  const doc = await task.promise;
  const pages = [];
  let chars = 0;
  for (let n = 1; n <= Math.min(doc.numPages, maxPages) && chars < maxChars; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if (typeof item.str !== 'string') continue;
      text += item.str + (item.hasEOL ? '\\n' : '');
    }
    page.cleanup();
    pages.push(text.trim());
    chars += text.length;
  }
  await task.destroy();
  parentPort.postMessage({ ok: true, text: pages.filter(Boolean).join('\\n\\n').slice(0, maxChars) });
})().catch((error) => {
  parentPort.postMessage({ ok: false, name: error && error.name });
});
`;

function pdfjsPaths(): { modulePath: string; workerPath: string; fontsPath: string } {
  const modulePath = require.resolve('pdfjs-dist/legacy/build/pdf.mjs');
  const root = modulePath.slice(0, modulePath.lastIndexOf('legacy'));
  return { modulePath, workerPath: `${root}legacy/build/pdf.worker.mjs`, fontsPath: `${root}standard_fonts/` };
}

/**
 * The text of a PDF, pages separated by a blank line; '' when it has none (a scan). Throws PdfTextError when the
 * bytes are not a readable PDF. The caller's bytes are copied, never detached.
 */
export async function extractPdfText(bytes: Uint8Array, options: PdfTextOptions = {}): Promise<string> {
  // A copy with its own ArrayBuffer, handed over to the worker (Buffer#slice would share, and may be pooled).
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 256 },
    workerData: {
      ...pdfjsPaths(),
      bytes: copy.buffer,
      maxPages: options.maxPages ?? 200,
      maxChars: options.maxChars ?? 2_000_000,
    },
    transferList: [copy.buffer],
  });
  // Drain and drop whatever the worker prints.
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new PdfTextError(`PDF text extraction took longer than ${options.timeoutMs ?? 20_000} ms`));
      void worker.terminate();
    }, options.timeoutMs ?? 20_000);
    worker.once('message', (reply: { ok: boolean; text?: string; name?: string }) => {
      clearTimeout(timer);
      if (reply.ok) resolve(reply.text ?? '');
      else reject(new PdfTextError(`Not a readable PDF (${reply.name ?? 'Error'})`));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(new PdfTextError('The PDF reader failed', { cause: error }));
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      reject(new PdfTextError('The PDF reader stopped before it finished'));
    });
  });
}
