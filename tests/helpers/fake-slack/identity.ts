/** Who the fake workspace and its bot are. */
export interface Identity {
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
}

/** What Slack calls the conversation kind in `channel_type`, from the id's first letter. */
export function channelType(channel: string): 'im' | 'group' | 'channel' {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return 'group';
  return 'channel';
}

/** Per-user settings for users.info; anything unset is a normal, active member of the fake team. */
export interface UserSettings {
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_bot?: boolean;
  team_id?: string;
  deleted?: boolean;
  name?: string;
}

/** Users and conversations as users.info and conversations.info describe them. */
export class Directory {
  private readonly users = new Map<string, UserSettings>();
  private readonly channels = new Map<string, Record<string, unknown>>();
  private readonly dmUsers = new Map<string, string>();

  constructor(private readonly identity: Identity) {}

  setUser(id: string, settings: UserSettings): void {
    this.users.set(id, { ...this.users.get(id), ...settings });
  }

  setChannel(id: string, fields: Record<string, unknown>): void {
    this.channels.set(id, { ...this.channels.get(id), ...fields });
  }

  /** Remembers who a DM is with, so conversations.info can name the user. */
  noteDmUser(channel: string, user: string): void {
    this.dmUsers.set(channel, user);
  }

  user(id: string): Record<string, unknown> {
    const settings = this.users.get(id) ?? {};
    const name = settings.name ?? id.toLowerCase();
    const teamId = settings.team_id ?? this.identity.teamId;
    return {
      id,
      team_id: teamId,
      name,
      real_name: name,
      deleted: settings.deleted ?? false,
      is_bot: settings.is_bot ?? id === this.identity.botUserId,
      is_app_user: false,
      is_admin: false,
      is_owner: false,
      is_restricted: settings.is_restricted ?? false,
      is_ultra_restricted: settings.is_ultra_restricted ?? false,
      tz: 'Europe/London',
      profile: { real_name: name, display_name: name, team: teamId },
    };
  }

  channel(id: string): Record<string, unknown> {
    const kind = channelType(id);
    const user = this.dmUsers.get(id);
    return {
      id,
      name: kind === 'im' ? undefined : id.toLowerCase(),
      is_channel: kind === 'channel',
      is_group: kind === 'group',
      is_im: kind === 'im',
      is_mpim: false,
      is_private: kind !== 'channel',
      is_member: true,
      is_archived: false,
      is_ext_shared: false,
      context_team_id: this.identity.teamId,
      ...(kind === 'im' && user ? { user } : {}),
      ...this.channels.get(id),
    };
  }
}
