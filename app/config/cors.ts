/**
 * CORS_ALLOWED_ORIGINS: which web origins may read the gateway's answers from a browser. Empty (the
 * default) means no CORS headers at all; `*` means any origin (echoed, never the literal `*`).
 */
export type AllowedOrigins = readonly string[];

export const ANY_ORIGIN = '*';

/**
 * `https://app.example.com, http://localhost:5173` -> exact origins as browsers send them
 * (scheme://host[:port], lower case, no default port, no path), or what is wrong with the value.
 */
export function parseAllowedOrigins(value: string): { origins: AllowedOrigins } | { problem: string } {
  const origins: string[] = [];
  for (const item of value.split(',').map((part) => part.trim()).filter((part) => part.length > 0)) {
    if (item === ANY_ORIGIN) {
      origins.push(ANY_ORIGIN);
      continue;
    }
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      return { problem: `must list origins like https://app.example.com (or *), got ${JSON.stringify(item)}` };
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== item.replace(/\/$/, '').toLowerCase()) {
      return { problem: `must list bare origins (scheme://host[:port], no path, no default port), got ${JSON.stringify(item)}` };
    }
    origins.push(url.origin);
  }
  return { origins: [...new Set(origins)] };
}
