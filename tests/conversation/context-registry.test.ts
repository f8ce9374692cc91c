import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContextRegistry } from '../../src/conversation/context';
import { loadContexts } from '../../src/conversation/context-registry';
import { ContextError } from '../../src/errors';
import { recordingLogger } from '../helpers/recording-logger';

/** Polls until `check` passes (up to ~3 s): file watching is asynchronous and debounced. */
async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function loadError(dir: string): Promise<string> {
  const error = await loadContexts(dir, recordingLogger()).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ContextError);
  return (error as ContextError).message;
}

const IT = `---
name: IT support
suggested_prompts:
  - title: Reset my password
    message: How do I reset my password?
---

# IT support

Laptops are managed by Jamf.
`;

const HR = `---
name: People team
channels: [C0HR12345, G0PRIV999]
reply: all
confidential: true
allow_users: [U0ALICE01, W0BOB0002]
---
Holidays: 25 days a year.
`;

let dir: string;
let registry: ContextRegistry | undefined;

function write(name: string, content: string): void {
  writeFileSync(path.join(dir, name), content);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'contexts-'));
});

afterEach(() => {
  registry?.close();
  registry = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('loadContexts', () => {
  it('loads every context and routes channels, DMs and unclaimed channels', async () => {
    write('default.md', IT);
    write('hr.md', HR);
    const logger = recordingLogger();
    registry = await loadContexts(dir, logger);

    const [itSupport, hr] = registry.all();
    expect(itSupport).toEqual({
      name: 'IT support',
      file: path.join(dir, 'default.md'),
      channels: [],
      reply: 'mentions',
      suggestedPrompts: [{ title: 'Reset my password', message: 'How do I reset my password?' }],
      confidential: false,
      allowUsers: [],
      text: '# IT support\n\nLaptops are managed by Jamf.',
      knowledgeOnly: false,
    });
    expect(hr).toMatchObject({
      name: 'People team',
      channels: ['C0HR12345', 'G0PRIV999'],
      reply: 'all',
      confidential: true,
      allowUsers: ['U0ALICE01', 'W0BOB0002'],
      text: 'Holidays: 25 days a year.',
    });
    expect(registry.forChannel('C0HR12345', false)).toBe(hr);
    expect(registry.forChannel('G0PRIV999', false)).toBe(hr);
    expect(registry.forChannel('C0OTHER01', false)).toBe(itSupport);
    expect(registry.forChannel('D0DM00001', true)).toBe(itSupport);
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'contexts loaded',
        meta: { dir, contexts: ['IT support', 'People team'], default: 'IT support' },
      },
    ]);
  });

  it('applies defaults: name from the file stem, mentions only, nothing confidential, no restrictions', async () => {
    write('facilities.md', 'Desk bookings go through the office app.\n');
    write('it.md', '---\nchannels: [C0IT00001]\n---\r\nIT text\r\n');
    registry = await loadContexts(dir, recordingLogger());
    const defaults = {
      channels: [],
      reply: 'mentions',
      suggestedPrompts: [],
      confidential: false,
      allowUsers: [],
      knowledgeOnly: false,
    };
    expect(registry.all()).toEqual([
      {
        ...defaults,
        name: 'facilities',
        file: path.join(dir, 'facilities.md'),
        text: 'Desk bookings go through the office app.',
      },
      { ...defaults, name: 'it', file: path.join(dir, 'it.md'), channels: ['C0IT00001'], text: 'IT text' },
    ]);
  });

  it('ignores README.md, _drafts, dotfiles, other extensions and directories', async () => {
    write('it.md', IT);
    write('README.md', '# How to edit contexts');
    write('_draft.md', '---\nreply: sometimes\n---\n');
    write('.it.md.swp', 'binary');
    write('.#it.md', 'lock');
    write('notes.txt', 'not a context');
    mkdirSync(path.join(dir, 'archive.md'));
    registry = await loadContexts(dir, recordingLogger());
    expect(registry.all().map((context) => context.name)).toEqual(['IT support']);
  });

  it('strips HTML comments (notes for editors) from the text', async () => {
    write('it.md', '<!-- Edit me: replace the phone number. -->\nCall the desk.\n<!--\nmore notes\n-->');
    registry = await loadContexts(dir, recordingLogger());
    expect(registry.all()[0].text).toBe('Call the desk.');
  });

  it('reports every bad file in one error, each by name with the reason', async () => {
    write('good.md', IT);
    write('typo.md', '---\nchanels: [C0123ABCD]\n---\nText');
    write('reply.md', '---\nchannels: [C0123ABCD]\nreply: always\n---\nText');
    write('channel.md', '---\nchannels: [general, C0OK00001]\n---\nText');
    write('users.md', '---\nchannels: [C0USERS01]\nallow_users: [alice]\n---\nText');
    write(
      'prompts.md',
      `---\nchannels: [C0PROMPT1]\nsuggested_prompts:\n${'  - {title: t, message: m}\n'.repeat(5)}---\nText`,
    );
    write('prompt-shape.md', '---\nchannels: [C0SHAPE01]\nsuggested_prompts:\n  - title: Only a title\n---\nText');
    write('flag.md', '---\nchannels: [C0FLAG001]\nconfidential: yes\n---\nText');
    write('all.md', '---\nreply: all\n---\nText');
    write('empty.md', '---\nchannels: [C0EMPTY01]\n---\n\n  \n');
    write('yaml.md', '---\nchannels: [C0YAML001\n---\nText');
    write('unclosed.md', '---\nchannels: [C0OPEN001]\nText');
    write('list.md', '---\n- C0123ABCD\n---\nText');
    write('scalar.md', '---\nchannels: C0SCALAR1\n---\nText');

    const message = await loadError(dir);
    expect(message).toContain(`Invalid contexts in CONTEXTS_DIR (${dir}):`);
    const line = (file: string, reason: string) => `${path.join(dir, file)}: ${reason}`;
    for (const expected of [
      line(
        'typo.md',
        "unknown key 'chanels' (allowed: name, channels, reply, suggested_prompts, confidential, allow_users, knowledge, knowledge_only)",
      ),
      line('reply.md', "reply: expected 'mentions' or 'all'"),
      line('channel.md', "channels[0]: 'general' is not a channel id (like C0123ABCD)"),
      line('users.md', "allow_users[0]: 'alice' is not a user id (like U0123ABCD)"),
      line('prompts.md', 'suggested_prompts: at most 4 prompts (Slack shows no more)'),
      line('prompt-shape.md', 'suggested_prompts[0].message: expected a message'),
      line('flag.md', 'confidential: expected true or false'),
      line('all.md', "reply: 'all' needs channels"),
      line('empty.md', 'the context text is empty: write it below the front matter'),
      line('yaml.md', 'front matter is not valid YAML (line'),
      line('unclosed.md', 'front matter starts with --- but has no closing --- line'),
      line('list.md', 'front matter must be YAML key: value lines'),
      line('scalar.md', 'channels: expected a list of channel ids'),
    ]) {
      expect(message).toContain(expected);
    }
    expect(message).not.toContain('good.md');
    expect(message).not.toContain('C0OK00001');
  });

  it('names both files when two contexts claim the same channel', async () => {
    write('default.md', IT);
    write('hr.md', HR);
    write('payroll.md', '---\nchannels: [C0PAY0001, G0PRIV999]\n---\nPayroll text');
    const message = await loadError(dir);
    expect(message).toContain(
      `channel G0PRIV999 is claimed by both ${path.join(dir, 'hr.md')} and ${path.join(dir, 'payroll.md')}`,
    );
  });

  it('names the files when more than one context has no channels', async () => {
    write('it.md', IT);
    write('facilities.md', 'Facilities text');
    const message = await loadError(dir);
    expect(message).toContain('only one context may have no channels (the default), but');
    expect(message).toContain(path.join(dir, 'facilities.md'));
    expect(message).toContain(path.join(dir, 'it.md'));
  });

  it('names CONTEXTS_DIR when the directory is missing, empty, or not a directory', async () => {
    expect(await loadError(path.join(dir, 'missing'))).toContain(
      `CONTEXTS_DIR (${path.join(dir, 'missing')}) does not exist`,
    );
    write('README.md', 'only docs');
    expect(await loadError(dir)).toContain(`CONTEXTS_DIR (${dir}) has no context files`);
    expect(await loadError(path.join(dir, 'README.md'))).toContain('is not a directory');
  });

  it('works without a default context, and warns that DMs get no answer', async () => {
    write('hr.md', HR);
    const logger = recordingLogger();
    registry = await loadContexts(dir, logger);
    expect(registry.forChannel('C0HR12345', false)?.name).toBe('People team');
    expect(registry.forChannel('C0OTHER01', false)).toBeUndefined();
    expect(registry.forChannel('D0DM00001', true)).toBeUndefined();
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('no default context') }),
    );
  });

  it('warns about placeholders left to fill in', async () => {
    write('it.md', 'Call {{IT_PHONE}} or open {{HELPDESK_PORTAL_URL}}; again: {{IT_PHONE}}.');
    const logger = recordingLogger();
    registry = await loadContexts(dir, logger);
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: 'context still has placeholders to fill in',
      meta: { file: path.join(dir, 'it.md'), placeholders: ['{{IT_PHONE}}', '{{HELPDESK_PORTAL_URL}}'] },
    });
  });
});

describe('knowledge folders', () => {
  it('resolves `knowledge` against the contexts directory and reads `knowledge_only`', async () => {
    mkdirSync(path.join(dir, 'it-docs', 'vpn'), { recursive: true });
    write('it.md', '---\nknowledge: it-docs\nknowledge_only: true\n---\nIT text\n');
    write('hr.md', '---\nchannels: [C0HR00001]\nknowledge: it-docs/vpn\n---\nHR text\n');
    registry = await loadContexts(dir, recordingLogger());
    expect(registry.all().map((c) => [c.name, c.knowledge, c.knowledgeOnly])).toEqual([
      ['it', path.join(dir, 'it-docs'), true],
      ['hr', path.join(dir, 'it-docs', 'vpn'), false],
    ]);
  });

  it('names the file and the folder when the knowledge folder is missing, outside, or not a folder', async () => {
    write('a.md', '---\nknowledge: it-docs\n---\nA\n');
    write('b.md', '---\nchannels: [C0B000001]\nknowledge: ../elsewhere\n---\nB\n');
    write('c.md', '---\nchannels: [C0C000001]\nknowledge: notes.txt\n---\nC\n');
    write('d.md', '---\nchannels: [C0D000001]\nknowledge_only: true\n---\nD\n');
    write('notes.txt', 'not a folder');
    const message = await loadError(dir);
    expect(message).toContain(`a.md: knowledge: folder ${path.join(dir, 'it-docs')} does not exist`);
    expect(message).toContain('b.md: knowledge: the knowledge folder must be inside the contexts directory');
    expect(message).toContain(`c.md: knowledge: folder ${path.join(dir, 'notes.txt')} is not a directory`);
    expect(message).toContain('d.md: knowledge_only: knowledge_only needs knowledge');
  });
});

describe('hot reload', () => {
  it('picks up an edit, a new file and a removed file without a restart', async () => {
    write('default.md', IT);
    write('hr.md', HR);
    const logger = recordingLogger();
    registry = await loadContexts(dir, logger);
    const live = registry;

    write('hr.md', HR.replace('25 days', '30 days'));
    await eventually(() => expect(live.forChannel('C0HR12345', false)?.text).toBe('Holidays: 30 days a year.'));
    expect(logger.lines.at(-1)).toEqual({
      level: 'info',
      message: 'contexts reloaded',
      meta: { contexts: ['IT support', 'People team'], default: 'IT support' },
    });
    expect(JSON.stringify(logger.lines)).not.toContain('Holidays');

    write('facilities.md', '---\nname: Facilities\nchannels: [C0FAC0001]\n---\nDesks are booked in the office app.');
    await eventually(() => expect(live.forChannel('C0FAC0001', false)?.name).toBe('Facilities'));

    rmSync(path.join(dir, 'hr.md'));
    await eventually(() => expect(live.forChannel('C0HR12345', false)?.name).toBe('IT support'));
    expect(live.all().map((context) => context.name)).toEqual(['IT support', 'Facilities']);
  });

  it('keeps serving the previous set when an edit breaks a file, and logs the file and the problem', async () => {
    write('default.md', IT);
    write('hr.md', HR);
    const logger = recordingLogger();
    registry = await loadContexts(dir, logger);
    const live = registry;
    const before = live.forChannel('C0HR12345', false);

    write('hr.md', HR.replace('reply: all', 'reply: everything').replace('25 days', '99 days'));
    await eventually(() => expect(logger.lines.some((line) => line.level === 'error')).toBe(true));
    expect(logger.lines.at(-1)).toEqual({
      level: 'error',
      message: 'contexts not reloaded: still serving the previous set',
      meta: { dir, problems: [`${path.join(dir, 'hr.md')}: reply: expected 'mentions' or 'all'`] },
    });
    expect(live.forChannel('C0HR12345', false)).toBe(before);
    expect(live.all()).toHaveLength(2);

    write('hr.md', HR.replace('25 days', '28 days'));
    await eventually(() => expect(live.forChannel('C0HR12345', false)?.text).toBe('Holidays: 28 days a year.'));
  });

  it('follows saves that write a temporary file and rename it over the original (vim, many editors)', async () => {
    write('default.md', IT);
    registry = await loadContexts(dir, recordingLogger());
    const live = registry;
    write('default.md.tmp', IT.replace('Jamf', 'Intune'));
    renameSync(path.join(dir, 'default.md.tmp'), path.join(dir, 'default.md'));
    await eventually(() => expect(live.all()[0].text).toContain('Intune'));
  });

  it('swaps the whole set at once: a lookup never sees half a reload', async () => {
    write('default.md', IT);
    write('hr.md', HR);
    registry = await loadContexts(dir, recordingLogger());
    const live = registry;
    const oldSet = live.all();

    write('hr.md', HR.replace('People team', 'People'));
    await eventually(() => expect(live.forChannel('C0HR12345', false)?.name).toBe('People'));
    const newSet = live.all();
    expect(newSet).not.toContain(oldSet[1]);
    expect(live.forChannel('D0DM00001', true)).toBe(newSet[0]);
  });

  it('stops watching on close', async () => {
    write('default.md', IT);
    const logger = recordingLogger();
    registry = await loadContexts(dir, logger);
    const live = registry;
    live.close();

    write('default.md', IT.replace('Jamf', 'Intune'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(live.all()[0].text).toContain('Jamf');
    expect(logger.lines.map((line) => line.message)).toEqual(['contexts loaded']);
  });
});

describe('contexts/default.md', () => {
  const file = path.join(__dirname, '../../contexts/default.md');
  const source = readFileSync(file, 'utf8');
  const [, frontMatter, ...rest] = source.split(/^---$/m);
  const body = rest.join('---');
  /** The placeholders the edit guide (YAML comments at the top) documents. */
  const documented = new Set(
    frontMatter
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .flatMap((line) => line.match(/\{\{[A-Z0-9_]+\}\}/g) ?? []),
  );

  it('loads as the default context with suggested prompts and the example guides', async () => {
    write('default.md', source);
    mkdirSync(path.join(dir, 'it-docs'));
    registry = await loadContexts(dir, recordingLogger());
    const [context] = registry.all();
    expect(context).toMatchObject({ channels: [], reply: 'mentions', confidential: false, allowUsers: [] });
    expect(context.suggestedPrompts.length).toBeGreaterThanOrEqual(3);
    expect(context.suggestedPrompts.length).toBeLessThanOrEqual(4);
    expect(registry.forChannel('D0DM00001', true)).toBe(context);
    expect(context.knowledge).toBe(path.join(dir, 'it-docs'));
    const lines = source.split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(120);
    expect(lines).toBeLessThanOrEqual(220);
  });

  it('uses only documented {{PLACEHOLDERS}}, and documents only used ones', async () => {
    write('default.md', source);
    mkdirSync(path.join(dir, 'it-docs'));
    registry = await loadContexts(dir, recordingLogger());
    const [context] = registry.all();
    const used = new Set(context.text.match(/\{\{[^}]*\}\}/g) ?? []);
    expect(documented.size).toBeGreaterThanOrEqual(10);
    expect([...used].filter((placeholder) => !documented.has(placeholder))).toEqual([]);
    expect([...documented].filter((placeholder) => !used.has(placeholder))).toEqual([]);
    expect(JSON.stringify(context.suggestedPrompts)).not.toMatch(/\{\{/);
  });

  it('has no unmarked placeholders (single braces, TODOs, <angle> or [bracket] fill-ins)', () => {
    const withoutMarked = body.replace(/\{\{[A-Z0-9_]+\}\}/g, '');
    expect(withoutMarked).not.toMatch(/[{}]/);
    expect(body).not.toMatch(/\b(TODO|TBD|FIXME|XXX)\b/);
    expect(body).not.toMatch(/<(your|company|insert|name|url|phone)[^>]*>/i);
    expect(body).not.toMatch(/\[(your|insert|company|add)[^\]]*\]/i);
    expect(body).not.toMatch(/example\.(com|org)|acme/i);
  });
});
