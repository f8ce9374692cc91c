/** A question's files for its answer: read what it attached, show the thread's recent images again on a follow-up. */
import type { IncomingMessage } from '../conversation/incoming';
import type { Turn } from '../conversation/turn';
import { type AttachmentDeps, type Attachments, readAttachments, refetchImages } from '../files/attachments';
import { classifyFile } from '../files/classify';
import { describeAttachments } from '../files/describe';
import type { FileReference } from '../files/file-ref';
import type { LlmImage, LlmRequest } from '../llm/llm';
import { describe } from './describe-error';

/** What a question's files add to its model request and to its stored turn. */
export interface QuestionFiles {
  /** Goes after the question text: inlined files, image names, files that could not be read; '' when none. */
  text: string;
  /** Shown to the model with the question. */
  images: LlmImage[];
  /**
   * Whether the answer should say, once, that images cannot be read with this set-up: images were attached and vision
   * is off, or the server refused them (`visionRejected`). A refusal is remembered: later questions do not send
   * images to that server again.
   */
  imagesUnseen(visionRejected: boolean | undefined): boolean;
  /**
   * Gives back the image memory and drops the images (the request shares this array), so that the next questions'
   * downloads can use it at once; call once the model request has ended. Safe to call twice.
   */
  release(): void;
}

/** A question without files, and none to show again from its thread. */
export const NO_FILES: QuestionFiles = { text: '', images: [], imagesUnseen: () => false, release: () => undefined };

/** Set-ups whose model server refused image parts since this process started (keyed by the bot's file deps). */
const refusingImages = new WeakSet<AttachmentDeps>();

/** Vision as configured, unless the server has shown it takes no images. */
const canShowImages = (deps: AttachmentDeps) => deps.vision && !refusingImages.has(deps);

/**
 * Whether the question has files to read: its own, or (with vision on) images earlier in the thread. Checked first so
 * that a question without any pays no download step, not even an await.
 */
export function hasQuestionFiles(
  deps: AttachmentDeps | undefined,
  message: IncomingMessage,
  history: Turn[],
): deps is AttachmentDeps {
  if (!deps) return false;
  if (message.files && message.files.length > 0) return true;
  return canShowImages(deps) && deps.caps.maxImagesPerRequest > 0 && threadImageRefs(history).length > 0;
}

/**
 * Reads the question's files; when it carries no image, fetches the thread's most recent images again, so that "what
 * does the second line of that error mean?" still sees the screenshot. Never throws: a question whose files fail is
 * answered from its text, and the model is told which files it could not read.
 */
export async function readQuestionFiles(
  configured: AttachmentDeps,
  message: IncomingMessage,
  history: Turn[],
  ref: string,
): Promise<QuestionFiles> {
  const deps = { ...configured, vision: canShowImages(configured) };
  const files = message.files ?? [];
  const attachedImages = files.filter((file) => classifyFile(file).kind === 'image').length;
  try {
    const own = files.length > 0 ? await readAttachments(files, deps) : undefined;
    const earlier =
      attachedImages > 0 || !deps.vision
        ? undefined
        : await refetchImages(threadImageRefs(history), deps, deps.caps.maxImagesPerRequest);
    const parts = [own ? describeAttachments(own) : '', earlier ? describeEarlierImages(earlier) : ''];
    deps.logger.debug('question files read', {
      ref,
      attached: files.length,
      images: own?.images.length ?? 0,
      texts: own?.texts.length ?? 0,
      unreadable: own?.unreadable.length ?? 0,
      earlierImages: earlier?.images.length ?? 0,
    });
    const images = [...(earlier?.images ?? []), ...(own?.images ?? [])].map(({ dataUrl, name }) => ({ dataUrl, name }));
    return {
      text: parts.filter(Boolean).join('\n\n'),
      images,
      imagesUnseen: (visionRejected) => {
        if (visionRejected && !refusingImages.has(configured)) {
          refusingImages.add(configured);
          deps.logger.warn('the model server refused images: answering from text; set OPENAI_VISION=false', { ref });
        }
        return attachedImages > 0 && (!deps.vision || visionRejected === true);
      },
      release: () => {
        images.length = 0;
        own?.release();
        earlier?.release();
      },
    };
  } catch (err) {
    configured.logger.warn('could not read the question files: answering from the text', {
      ref,
      error: describe(err),
    });
    return NO_FILES;
  }
}

/** The question with its text addition, as it is sent and counted against the history budget. */
export function questionWithFiles(question: string, files: QuestionFiles): string {
  return files.text ? `${question}\n\n${files.text}` : question;
}

/** Shows the images with the request's last message: the question. */
export function attachImages(request: LlmRequest, images: LlmImage[]): void {
  const question = request.messages.at(-1);
  if (question && images.length > 0) question.images = images;
}

/** The images of the thread's user turns, oldest first (as stored). */
function threadImageRefs(history: Turn[]): FileReference[] {
  return history.flatMap((turn) => turn.files ?? []).filter((file) => file.mimetype.startsWith('image/'));
}

/** Earlier images shown again: the model is told they come from the thread, not from this message. */
function describeEarlierImages(earlier: Attachments): string {
  if (earlier.images.length === 0) return '';
  const names = earlier.images.map((image) => `"${image.name}"`).join(', ');
  return `Images shared earlier in this thread, shown again, in order: ${names}.`;
}
