/** The slice of WebClient used to look people up. */
export interface UsersReader {
  users: {
    info(args: { user: string }): Promise<{
      user?: { is_restricted?: boolean; is_ultra_restricted?: boolean; is_bot?: boolean; deleted?: boolean };
    }>;
  };
}

const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 50_000;

/** Tells full members from guests, caching `users.info` answers for an hour so a conversation costs one lookup. */
export class MemberDirectory {
  private readonly cache = new Map<string, { member: boolean; until: number }>();

  constructor(private readonly client: UsersReader) {}

  /** True for a full member of the workspace; false for guests, bots and deactivated accounts. */
  async isMember(user: string): Promise<boolean> {
    const cached = this.cache.get(user);
    if (cached && cached.until > Date.now()) return cached.member;
    const { user: info } = await this.client.users.info({ user });
    const member = !!info && !info.is_restricted && !info.is_ultra_restricted && !info.is_bot && !info.deleted;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(user, { member, until: Date.now() + TTL_MS });
    return member;
  }
}
