// A STORE_URL may carry a password in its user info or its query; neither may reach a log line or a terminal.

const MASK = '***';

/**
 * The URL with every password masked, fit for an error message or output. The user info runs to the LAST `@` (a
 * password may hold `/` or `@`, unencoded); `password=` query parameters are masked too. Errs towards masking more.
 */
export function redactStoreUrl(url: string): string {
  return maskUserInfo(url).replace(/([?&;]password=)[^&#;]*/gi, `$1${MASK}`);
}

function maskUserInfo(url: string): string {
  const start = url.indexOf('//');
  const at = url.lastIndexOf('@');
  if (start < 0 || at < start) return url;
  const userInfo = url.slice(start + 2, at);
  const colon = userInfo.indexOf(':');
  if (colon < 0) return url; // a user name alone
  return `${url.slice(0, start + 3 + colon)}${MASK}${url.slice(at)}`;
}
