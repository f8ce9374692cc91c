import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContexts } from '../../src/conversation/context-registry';
import { recordingLogger } from '../helpers/recording-logger';
import { scratchDir } from '../helpers/scratch-dir';

function contextsDir(files: Record<string, string>): string {
  const dir = scratchDir('desk-contexts');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('desk front matter', () => {
  it('reads escalation, handoff phrases and step_back', async () => {
    const dir = contextsDir({
      'it.md': `---
channels: [C0IT]
escalation: { channel: C0ESC, mention: "<!subteam^S0HELP>", webhook_env: DESK_WEBHOOK_URL }
handoff_phrases: ["je veux parler à quelqu'un"]
step_back: false
---
IT text
`,
    });
    const registry = await loadContexts(dir, recordingLogger());
    expect(registry.all()[0].desk).toEqual({
      escalation: { channel: 'C0ESC', mention: '<!subteam^S0HELP>', webhookEnv: 'DESK_WEBHOOK_URL' },
      handoffPhrases: ["je veux parler à quelqu'un"],
      stepBack: false,
    });
    registry.close();
  });

  it('names each wrong value', async () => {
    const dir = contextsDir({
      'it.md': `---
escalation: { channel: "#it-help", mention: "@it-team", webhook_env: "https://hooks.example.com/x", extra: 1 }
handoff_phrases: "help"
step_back: "no"
---
IT text
`,
    });
    const problems = await loadContexts(dir, recordingLogger()).catch((err: Error) => err.message);
    expect(problems).toContain('escalation.channel: escalation channel must be a channel id');
    expect(problems).toContain('escalation.mention: mention must look like');
    expect(problems).toContain('escalation.webhook_env: webhook_env must be an environment variable name');
    expect(problems).toContain('handoff_phrases: expected a list of phrases');
    expect(problems).toContain('step_back: expected true or false');
  });
});
