/** The knowledge folder feature: what the answering path calls. */

export { type CitationFilter, createCitationFilter } from './citation-filter';
export { citeSources, type SourcesFormat } from './cite-sources';
export { formatPassages, NO_PASSAGES_NOTE, passageLabel } from './format-passages';
export type { Embed, KnowledgeBase, KnowledgeBaseOptions, Passage, ReadPdf } from './passage';
export { NOT_IN_GUIDES_REPLY, searchingStatus } from './user-texts';
