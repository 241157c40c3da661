/** The LOG_LEVEL values the gateway accepts (any case): config validates against them, the logger maps them. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `level` upper-cased when it is one of LOG_LEVELS, else undefined. */
export function logLevelOf(level: string): LogLevel | undefined {
  const upper = level.toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(upper) ? (upper as LogLevel) : undefined;
}
