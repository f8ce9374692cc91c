/** `/file PATH` in the playground: a text file (or a PDF's text) pasted into the next question, as if attached in Slack. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { extractPdfText } from '../files/pdf-text';

/** A file's text, ready to go into a question. */
export interface Attachment {
  name: string;
  text: string;
}

/** Turns a path into an attachment; rejects with a message a person can act on. */
export type Attach = (file: string) => Promise<Attachment>;

/** More than this many characters of one file are cut: a pasted file should not crowd out the context. */
export const ATTACHMENT_CHAR_CAP = 20_000;

/** Reads a UTF-8 text file or a PDF's text, as the bot reads them in Slack; refuses other binary files; caps long ones. */
export async function readTextAttachment(file: string): Promise<Attachment> {
  const name = path.basename(file);
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${file} (${err.code ?? err.message})`);
  });
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    const text = await extractPdfText(bytes).catch(() => {
      throw new Error(`${name} is not a readable PDF`);
    });
    return capped(name, text);
  }
  // A NUL byte in the first few kilobytes is the usual sign of a binary file (image, PDF, archive).
  if (bytes.subarray(0, 8000).includes(0)) throw new Error(`${name} is not a text file`);
  return capped(name, bytes.toString('utf8'));
}

function capped(name: string, text: string): Attachment {
  if (text.length <= ATTACHMENT_CHAR_CAP) return { name, text };
  return {
    name,
    text: `${text.slice(0, ATTACHMENT_CHAR_CAP)}\n[… ${name} was cut at ${ATTACHMENT_CHAR_CAP} characters]`,
  };
}

/** The attachments as fenced blocks named after their files, placed before the question. */
export function withAttachments(question: string, attachments: Attachment[]): string {
  if (attachments.length === 0) return question;
  const blocks = attachments.map((a) => {
    // A fence longer than any backtick run in the file, so the file cannot close it early.
    const longest = Math.max(2, ...(a.text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = '`'.repeat(longest + 1);
    return `${a.name}:\n${fence}\n${a.text.replace(/\n+$/, '')}\n${fence}`;
  });
  return `${blocks.join('\n\n')}\n\n${question}`;
}
