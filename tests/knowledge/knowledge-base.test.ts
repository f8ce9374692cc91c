import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openKnowledgeBase } from '../../src/knowledge/knowledge-base';
import type { KnowledgeBase } from '../../src/knowledge/passage';
import { recordingLogger } from '../helpers/recording-logger';
import { scratchDir } from '../helpers/scratch-dir';

/** Polls until `check` passes (up to ~3 s): file watching is asynchronous and debounced. */
async function eventually(check: () => void | Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

const GUIDES: Record<string, string> = {
  'vpn/macos.md': `---\ntitle: VPN on macOS\nurl: https://intranet.example.com/vpn-mac\n---\n# VPN on macOS\n\n## Installing\n\nInstall GlobalProtect from Self Service.\n\n## Certificate errors\n\n"Valid client certificate is required": run Renew device certificate in Self Service, then restart the Mac.\n`,
  'vpn/windows.md': `---\ntitle: VPN on Windows\n---\n# VPN on Windows\n\n## Installing\n\nInstall GlobalProtect from Company Portal.\n\n## Stuck connecting\n\nDisable and enable GlobalProtect from the tray icon, then restart Windows.\n`,
  'printers.md': `# Printing\n\nPrint to the Follow-Me queue and tap your badge at any printer. Toner and paper jams go to the office team.\n`,
  'wifi.txt': `Visitors join the guest network with a day voucher from the portal. Staff laptops join automatically.\n`,
};

function writeGuides(dir: string): void {
  for (const [name, text] of Object.entries(GUIDES)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

const docsFor = async (kb: KnowledgeBase, question: string, previousQuestion?: string) =>
  (await kb.search(question, { tokenBudget: 2000, previousQuestion })).map((p) => p.docId);

describe('openKnowledgeBase', () => {
  let kb: (KnowledgeBase & { idle(): Promise<void> }) | undefined;
  afterEach(() => kb?.close());

  it('indexes every supported file in the folder and its sub-folders, skipping drafts', async () => {
    const dir = scratchDir('kb-index');
    writeGuides(dir);
    writeFileSync(path.join(dir, '_draft.md'), '# Draft\n\nPrinter secrets.');
    writeFileSync(path.join(dir, 'notes.docx'), 'not indexed');
    kb = await openKnowledgeBase({ dir, logger: recordingLogger() });
    expect(kb.documents()).toBe(4);
    expect(kb.passages()).toBe(6);
  });

  it('ranks the passage that answers the question first, with its heading path, title and url', async () => {
    const dir = scratchDir('kb-rank');
    writeGuides(dir);
    kb = await openKnowledgeBase({ dir, logger: recordingLogger() });
    const [best] = await kb.search('my mac says a client certificate is required', { tokenBudget: 2000 });
    expect(best).toMatchObject({
      docId: 'vpn/macos.md',
      title: 'VPN on macOS',
      url: 'https://intranet.example.com/vpn-mac',
      headingPath: ['VPN on macOS', 'Certificate errors'],
      path: path.join(dir, 'vpn', 'macos.md'),
    });
    expect(best.tokens).toBeGreaterThan(0);
    expect((await docsFor(kb, 'where is the toner for the printers'))[0]).toBe('printers.md');
    expect((await docsFor(kb, 'how do visitors get on the wifi'))[0]).toBe('wifi.txt');
  });

  it('returns nothing when no guide is relevant', async () => {
    const dir = scratchDir('kb-none');
    writeGuides(dir);
    kb = await openKnowledgeBase({ dir, logger: recordingLogger() });
    expect(await kb.search('what is the weather tomorrow?', { tokenBudget: 2000 })).toEqual([]);
    expect(await kb.search('how do I?', { tokenBudget: 2000 })).toEqual([]);
  });

  it('searches a follow-up together with the previous question', async () => {
    const dir = scratchDir('kb-follow');
    writeGuides(dir);
    kb = await openKnowledgeBase({ dir, logger: recordingLogger() });
    const followUp = await docsFor(kb, 'and on windows?', 'how do I install the VPN on my mac');
    expect(followUp[0]).toBe('vpn/windows.md');
    expect(followUp).toContain('vpn/macos.md');
    expect(followUp).not.toContain('printers.md');
  });

  it('keeps the passages within the token budget', async () => {
    const dir = scratchDir('kb-budget');
    writeGuides(dir);
    kb = await openKnowledgeBase({ dir, logger: recordingLogger() });
    const all = await kb.search('GlobalProtect VPN install certificate', { tokenBudget: 2000 });
    expect(all.length).toBeGreaterThan(1);
    const one = await kb.search('GlobalProtect VPN install certificate', { tokenBudget: all[0].tokens + 30 });
    expect(one).toEqual([all[0]]);
    expect(await kb.search('GlobalProtect VPN install certificate', { tokenBudget: 5 })).toEqual([]);
  });

  it('follows edits, new files and deletions without a restart, re-reading only what changed', async () => {
    const dir = scratchDir('kb-reload');
    writeGuides(dir);
    const logger = recordingLogger();
    const reads: number[] = [];
    const readPdf = async () => {
      reads.push(1);
      return 'Expense claims are filed in the finance portal within thirty days.';
    };
    kb = await openKnowledgeBase({ dir, logger, readPdf });
    const open = kb;

    writeFileSync(path.join(dir, 'printers.md'), '# Printing\n\nScanning sends a PDF to your inbox.\n');
    await eventually(async () => expect(await docsFor(open, 'scanning to my inbox')).toEqual(['printers.md']));
    expect(await docsFor(open, 'toner')).toEqual([]);

    writeFileSync(path.join(dir, 'expenses.pdf'), '%PDF-1.7');
    await eventually(async () => expect((await docsFor(open, 'expense claims'))[0]).toBe('expenses.pdf'));

    rmSync(path.join(dir, 'vpn', 'windows.md'));
    await eventually(async () => expect(await docsFor(open, 'tray icon')).toEqual([]));
    expect(open.documents()).toBe(4);

    writeFileSync(path.join(dir, 'wifi.txt'), 'Guest vouchers last until midnight.');
    await eventually(async () => expect(await docsFor(open, 'voucher midnight')).toEqual(['wifi.txt']));
    expect(reads).toHaveLength(1);
    expect(
      logger.lines.filter((line) => line.level === 'info' && line.message === 'knowledge folder re-indexed'),
    ).not.toHaveLength(0);
  });

  it('reports a file that cannot be read by name, skips it, and keeps serving the rest', async () => {
    const dir = scratchDir('kb-broken');
    writeGuides(dir);
    writeFileSync(path.join(dir, 'scan.pdf'), '%PDF-1.7 broken');
    const logger = recordingLogger();
    kb = await openKnowledgeBase({
      dir,
      logger,
      readPdf: async () => {
        throw new Error('Invalid PDF structure');
      },
    });
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'knowledge file skipped: it cannot be read',
        meta: expect.objectContaining({ file: 'scan.pdf' }),
      }),
    ]);
    expect(kb.documents()).toBe(4);
    expect((await docsFor(kb, 'printer badge'))[0]).toBe('printers.md');

    const open = kb;
    writeFileSync(path.join(dir, 'bad.pdf'), '%PDF broken too');
    await eventually(() => {
      expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.meta?.file)).toEqual([
        'scan.pdf',
        'bad.pdf',
      ]);
    });
    expect(open.documents()).toBe(4);
  });
});
