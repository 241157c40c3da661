/**
 * The floors of app/, lowest first (README "Layout"). A file may import from its own floor or
 * below, never above: edges -> gateway -> operations -> services -> schemas and config -> core.
 */
export const FLOORS: Readonly<Record<string, number>> = {
  core: 0,
  config: 1,
  schemas: 1,
  auth: 2,
  convert: 2,
  eventstream: 2,
  models: 2,
  observability: 2,
  secrets: 2,
  tokens: 2,
  upstream: 2,
  operations: 3,
  gateway: 4,
  dev: 5,
  hooks: 5,
  lambda: 5,
  local: 5,
};
