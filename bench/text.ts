const WORDS = (
  'open the settings app and choose network then select the company profile and sign in with your usual ' +
  'account if the connection drops again restart the client and wait for the green icon before you try ' +
  'the portal again most problems clear after a restart but if yours does not raise a ticket with the desk ' +
  'and include the time it happened the device name and a screenshot of the message you saw'
).split(' ');

/** Deterministic support-answer prose of exactly `chars` characters: sentences, paragraphs and a numbered list. */
export function answerText(chars: number, seed = 0): string {
  const parts: string[] = [];
  let length = 0;
  let word = seed % WORDS.length;
  let sentence = 0;
  while (length < chars) {
    const count = 8 + ((seed + sentence) % 9);
    const words = Array.from({ length: count }, () => WORDS[word++ % WORDS.length]);
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    const step = sentence % 6;
    const lead = sentence === 0 ? '' : step === 3 ? '\n\n1. ' : step === 4 ? '\n2. ' : step === 5 ? '\n\n' : ' ';
    const piece = `${lead}${words.join(' ')}.`;
    parts.push(piece);
    length += piece.length;
    sentence++;
  }
  return parts.join('').slice(0, chars);
}

/** A question a person might ask, carrying a marker (`Q<id>:`) that the fakes use to match it up. */
export function questionText(id: number): string {
  return `Q${id}: my VPN keeps disconnecting when I work from home, and the portal asks me to sign in again. What should I do?`;
}

/** The marker's id in a question, or undefined. */
export function questionId(text: string): number | undefined {
  const match = /Q(\d+):/.exec(text);
  return match ? Number(match[1]) : undefined;
}
