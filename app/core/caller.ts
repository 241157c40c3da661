/** Who made a request, as authentication resolved it. It never carries a key, token or signature. */
export type AuthMethod = 'api-key' | 'jwt' | 'sigv4' | 'none';

export interface Caller {
  /** Stable and safe to log: a key's configured name (or a name derived from its hash), a JWT claim, a credential's name. */
  readonly name: string;
  /** `none`: the local server with no credentials configured, which lets everyone in (and says so at start). */
  readonly method: AuthMethod;
  /** The models this caller may use; undefined (or `*`) means every model. */
  readonly allowedModels?: readonly string[];
}

/** Who a local server with no credentials configured lets in. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', method: 'none' });
