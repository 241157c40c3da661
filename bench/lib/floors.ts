/** The floor children (floorChild.ts): what they are called and how the table names them. */

export const FLOOR_KINDS = ['sdk', 'agent'] as const;
export type FloorKind = (typeof FLOOR_KINDS)[number];

export const FLOOR_LABELS: Record<FloorKind, string> = {
  sdk: 'node:http + openai SDK only',
  agent: 'node:http + undici Agent, no SDK',
};
