/** HTML → markdown-like text that keeps its headings, for indexing; not a renderer. */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return match ? decodeEntities(match[2] ?? match[3] ?? '').trim() : undefined;
}

/** The page's own title and link: <title>, then <link rel="canonical"> or <meta name="url">. */
export function htmlMetadata(html: string): { title?: string; url?: string } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  let url: string | undefined;
  for (const tag of html.match(/<(link|meta)\b[^>]*>/gi) ?? []) {
    const rel = attribute(tag, 'rel');
    const name = attribute(tag, 'name') ?? attribute(tag, 'property');
    if (rel?.toLowerCase() === 'canonical') url ??= attribute(tag, 'href');
    if (name === 'url' || name === 'og:url') url ??= attribute(tag, 'content');
  }
  const cleanTitle = title ? decodeEntities(title).replace(/\s+/g, ' ').trim() : undefined;
  return { title: cleanTitle || undefined, url };
}

/** The body's text with <h1>…<h6> as `#` headings and block elements as line breaks. */
export function htmlToText(html: string): string {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html;
  return decodeEntities(
    body
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/<(script|style|noscript|template|svg|head|nav)\b[\s\S]*?<\/\1>/gi, '')
      .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/gi, (_, level: string, inner: string) => {
        const title = inner
          .replace(/<[^>]+>/g, '')
          .replace(/\s+/g, ' ')
          .trim();
        return `\n\n${'#'.repeat(Number(level))} ${title}\n\n`;
      })
      .replace(/<li\b[^>]*>/gi, '\n- ')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(
        /<\/?(p|div|section|article|ul|ol|table|tr|pre|blockquote|main|header|footer|dl|dt|dd)\b[^>]*>/gi,
        '\n\n',
      )
      .replace(/<\/t[dh]>/gi, ' | ')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
