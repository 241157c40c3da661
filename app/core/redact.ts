/**
 * The one redaction rule for text that may reach a caller or a log line from somewhere the gateway
 * does not control (an upstream error message, an unexpected exception): anything credential-like
 * is removed and the length is bounded.
 */
const SECRET_PATTERNS = [/sk-[A-Za-z0-9_*-]{6,}/g, /Bearer\s+[^\s"']+/gi, /(api[_-]?key["'\s:=]+)[^\s"',]+/gi];

/** Removes anything credential-like and bounds the length of a message that came from upstream. */
export function sanitizeMessage(message: string | undefined, fallback: string): string {
  if (!message) return fallback;
  let clean = message;
  for (const pattern of SECRET_PATTERNS) clean = clean.replace(pattern, (_m, prefix?: string) => `${typeof prefix === 'string' ? prefix : ''}[redacted]`);
  return clean.length > 1000 ? `${clean.slice(0, 1000)}...` : clean;
}
