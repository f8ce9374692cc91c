/** The text part of a question's attachments, as it goes into the prompt after the question. */
import type { Attachments } from './attachments';
import { fenceFor } from './text-inline';

/** Said once in an answer when images were attached but this set-up cannot show them to the model. */
export const IMAGES_UNREADABLE_NOTE = "_I can't see images with this set-up, so I answered from the text only._";

/**
 * Fenced blocks for the text files (with their names, and a note when cut), the names of the images shown, and a
 * "could not read" line the model can pass on instead of pretending; '' when there were no files.
 */
export function describeAttachments(attachments: Pick<Attachments, 'images' | 'texts' | 'unreadable'>): string {
  const parts: string[] = [];
  for (const file of attachments.texts) {
    const fence = fenceFor(file.text);
    const note = file.truncated ? ' (too long: only its start and end are shown)' : '';
    parts.push(`Attached file "${file.name}"${note}:\n${fence}\n${file.text}\n${fence}`);
  }
  if (attachments.images.length > 0) {
    parts.push(`Attached images, in order: ${attachments.images.map((image) => `"${image.name}"`).join(', ')}.`);
  }
  if (attachments.unreadable.length > 0) {
    const list = attachments.unreadable.map((file) => `"${file.name}" (${file.reason})`).join('; ');
    parts.push(`Files you could not read: ${list}. Say so if they matter to the answer; do not guess their content.`);
  }
  return parts.join('\n\n');
}
