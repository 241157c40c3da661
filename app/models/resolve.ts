/**
 * Bedrock model ids -> upstream model names, through MODEL_MAP.
 * A caller may send a Bedrock model id (`anthropic.claude-3-5-sonnet-20240620-v1:0`), an
 * inference-profile id (`us.anthropic...`) or an ARN of either; all find the same entry.
 * Unmapped ids pass through unchanged, so `gpt-4o-mini` works as a modelId.
 */

export interface ResolvedModel {
  /** The name sent upstream. */
  readonly upstream: string;
  /** True when MODEL_MAP had an entry (drives the bounded metrics dimension). */
  readonly mapped: boolean;
  /** Every name the model goes by: the id as sent, the forms MODEL_MAP matches, the upstream name (model allow-lists match any). */
  readonly names: readonly string[];
}

/** Cross-region inference-profile prefixes (`us.anthropic...`). */
export const PROFILE_PREFIX = /^(?:us|eu|apac|us-gov|ca|jp|au|global)\./;

/** Candidate keys for one id, most specific first. */
export function modelIdCandidates(modelId: string): string[] {
  const candidates = [modelId];
  if (modelId.startsWith('arn:')) {
    const resource = modelId.slice(modelId.lastIndexOf('/') + 1);
    if (resource && resource !== modelId) candidates.push(resource);
  }
  for (const candidate of [...candidates]) {
    const stripped = candidate.replace(PROFILE_PREFIX, '');
    if (stripped !== candidate) candidates.push(stripped);
  }
  return candidates;
}

export function createModelResolver(modelMap: Readonly<Record<string, string>>): (modelId: string) => ResolvedModel {
  const cache = new Map<string, ResolvedModel>();
  return (modelId) => {
    const hit = cache.get(modelId);
    if (hit) return hit;
    const candidates = modelIdCandidates(modelId);
    // Own keys only: a modelId such as `constructor` must not resolve to Object.prototype members.
    const key = candidates.find((candidate) => Object.hasOwn(modelMap, candidate));
    const upstream = key === undefined ? modelId : (modelMap[key] as string);
    const resolved: ResolvedModel = Object.freeze({ upstream, mapped: key !== undefined, names: Object.freeze([...new Set([...candidates, upstream])]) });
    // Bounded: the cache only grows with distinct ids seen, capped to stop a caller inflating it.
    if (cache.size < 1000) cache.set(modelId, resolved);
    return resolved;
  };
}
