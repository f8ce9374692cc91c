import { z } from 'zod';

/** The units variables are given in, as milliseconds. */
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** What a section's fields parse to: the variables it reads, typed and defaulted. */
export type ParsedEnv<Fields extends z.ZodRawShape> = z.output<z.ZodObject<Fields>>;

/** The variables that are set: an empty value means "use the default", as if it were unset. */
export function present(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

export const secret = (name: string, prefix: string, kind: string) =>
  z
    .string({ error: `${name} is required (${kind} starting with ${prefix})` })
    .trim()
    .refine((v) => v.startsWith(prefix), `${name} must be ${kind} starting with ${prefix}`);

export const httpUrl = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), `${name} must be an http(s) URL`);

export const int = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false` });
      return z.NEVER;
    });

/** An optional TCP port; 0 asks the system for a free one. */
export const port = (name: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65_535) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a port number from 0 to 65535` });
        return z.NEVER;
      }
      return n;
    });
