/** What the SQL backends' desk books share: table names, flag columns, and reading a thread row. */
import type { DeskFlag, DeskThread } from './desk-book';

/** The desk's tables, for the expiry purge. */
export const DESK_TABLES = ['desk_threads', 'desk_feedback', 'desk_questions'] as const;

/** Column of each flag. */
export const FLAG_COLUMNS: Record<DeskFlag, string> = {
  steppedBack: 'stepped_back',
  handedOff: 'handed_off',
  resolved: 'resolved',
};

export type ThreadRow = Omit<DeskThread, 'steppedBack' | 'handedOff' | 'resolved'> & Record<DeskFlag, number | boolean>;

/** A row as both SQL backends return it (0/1 or booleans, numbers or numeric strings). */
export function threadOf(row: ThreadRow): DeskThread {
  return {
    key: row.key,
    context: row.context,
    channelKind: row.channelKind,
    at: Number(row.at),
    steppedBack: Boolean(row.steppedBack),
    handedOff: Boolean(row.handedOff),
    resolved: Boolean(row.resolved),
  };
}
