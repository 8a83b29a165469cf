/**
 * Who is on the other end of a socket: a signed JWT (HS256 secret or a JWKS endpoint), or — only in
 * development-identity mode — the `devUser` the client claims. Checked on every new socket.
 */
import * as z from 'zod/mini';
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import type { UserProfile } from '../protocol/index.js';
import { AvatarUrl, UserId } from '../protocol/index.js';
import { DEFAULT_JWT_CLOCK_TOLERANCE_S, type AuthConfig } from './config.js';
import type { ServerClock } from './clock.js';
import { fetchedUrl } from './fetched-url.js';
import { shownUrl } from './log.js';
import {
  DEFAULT_PERMISSIONS_CLAIM,
  parsePermissionsClaim,
  type PermissionsClaim,
} from './permissions/claims.js';

export type AuthResult =
  | {
      ok: true;
      user: UserProfile;
      via: 'token' | 'dev';
      expiresAt?: number;
      /** The token's `iat` in milliseconds, when it has one (a revocation refuses older tokens). */
      issuedAt?: number;
      /** The token's permissions claim (`crm`, see `permissions/claims.ts`), when it has one. */
      permissions?: PermissionsClaim;
    }
  | {
      ok: false;
      reason: string;
      /**
       * The token could not be checked, not found wanting: the JWKS endpoint did not answer, or
       * not with a key set (down, slow, a wrong `CRM_JWKS_URL`, an HTML page). The client should
       * retry later with the same token, and the operator be told.
       */
      unavailable?: true;
    };

export interface Credentials {
  token?: string | undefined;
  devUser?: UserProfile | undefined;
}

const HMAC = ['HS256', 'HS384', 'HS512'];

/**
 * Thrown by the key lookup when the JWKS endpoint gave no key set to look in: the identity
 * provider is down or slow, or `CRM_JWKS_URL` points at something else. Not the token's fault.
 */
class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';
}

/**
 * What `createRemoteJWKSet` throws when it could not get a key set: its timeout, a status other
 * than 200, a body that is not JSON or not a JWKS (`ERR_JOSE_GENERIC`, `ERR_JWKS_INVALID`), or
 * `fetch` failing outright (a refused connection: a `TypeError`, no jose code). A key set that
 * was read but has no key for the token (`ERR_JWKS_NO_MATCHING_KEY`) is the token's problem.
 */
function keySetFetchFailed(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID') {
    return true;
  }
  // `fetch` itself: no connection (its cause says why), or the request aborted.
  return (
    err instanceof Error &&
    code === undefined &&
    ((err.name === 'TypeError' && err.message === 'fetch failed') ||
      err.name === 'AbortError' ||
      err.name === 'TimeoutError')
  );
}

/** Profile from standard claims: `sub`, `name` (or `preferred_username`, `email`), `picture`. */
export function profileFromClaims(claims: JWTPayload): UserProfile | undefined {
  const id = claims.sub;
  // Only a subject every room rule accepts (UserId): a user who cannot join `user:<sub>` would
  // be welcomed and never get a notification live.
  if (typeof id !== 'string' || !z.safeParse(UserId, id).success) return undefined;
  const nameClaim = [claims.name, claims.preferred_username, claims.email].find(
    (v): v is string => typeof v === 'string' && v.trim().length > 0,
  );
  const profile: UserProfile = { id, name: (nameClaim ?? id).trim().slice(0, 128) };
  const avatar = [claims.avatarUrl, claims.picture].find(
    (v) => typeof v === 'string' && z.safeParse(AvatarUrl, v).success,
  );
  if (typeof avatar === 'string') profile.avatarUrl = avatar;
  return profile;
}

export class Authenticator {
  private readonly secret: Uint8Array | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;

  constructor(
    private readonly config: AuthConfig,
    private readonly clock: ServerClock,
  ) {
    this.secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
    if (config.jwksUrl) {
      const remote = createRemoteJWKSet(fetchedUrl('auth.jwksUrl', config.jwksUrl));
      this.jwks = async (header, token) => {
        try {
          return await remote(header, token);
        } catch (err) {
          if (!keySetFetchFailed(err)) throw err;
          throw new KeySetUnavailable((err as Error).message || String(err));
        }
      };
    }
  }

  get devIdentities(): boolean {
    return this.config.devIdentities;
  }

  async authenticate(credentials: Credentials): Promise<AuthResult> {
    if (credentials.token !== undefined) return this.verify(credentials.token);
    if (!credentials.devUser) return { ok: false, reason: 'a token is required' };
    if (!this.config.devIdentities) {
      return { ok: false, reason: 'development identities are disabled on this server' };
    }
    return { ok: true, user: credentials.devUser, via: 'dev' };
  }

  private async verify(token: string): Promise<AuthResult> {
    // A token without `exp` would open sockets for ever, and a stolen one would never stop working.
    // The allowance covers the token service's clock differing from this one's, both ways: a
    // fresh token whose `nbf` is a moment ahead, one whose `exp` just passed. It applies to the
    // connect only; `Session` closes an open connection at `exp` itself (docs/security.md).
    const options: JWTVerifyOptions = {
      currentDate: new Date(this.clock.now()),
      requiredClaims: ['exp'],
      clockTolerance: this.config.clockToleranceS ?? DEFAULT_JWT_CLOCK_TOLERANCE_S,
    };
    if (this.config.issuer) options.issuer = this.config.issuer;
    if (this.config.audience) options.audience = this.config.audience;
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return { ok: false, reason: 'token is malformed' };
    }
    try {
      let payload: JWTPayload;
      if (alg && HMAC.includes(alg)) {
        if (!this.secret) return { ok: false, reason: 'HMAC tokens are not accepted' };
        ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: HMAC }));
      } else {
        if (!this.jwks) return { ok: false, reason: `tokens signed with ${alg} are not accepted` };
        ({ payload } = await jwtVerify(token, this.jwks, options));
      }
      const user = profileFromClaims(payload);
      if (!user) return { ok: false, reason: 'token has no usable subject' };
      const result: AuthResult = { ok: true, user, via: 'token' };
      if (typeof payload.exp === 'number') result.expiresAt = payload.exp * 1000;
      if (typeof payload.iat === 'number') result.issuedAt = payload.iat * 1000;
      const claimName = this.config.permissionsClaim ?? DEFAULT_PERMISSIONS_CLAIM;
      const claim = payload[claimName];
      if (claim !== undefined) {
        // A claim that does not parse refuses the token: guessing what it meant could grant more.
        const parsed = parsePermissionsClaim(claim);
        if (!parsed.ok)
          return { ok: false, reason: `claim ${claimName} is invalid: ${parsed.reason}` };
        result.permissions = parsed.claim;
      }
      return result;
    } catch (err) {
      if (err instanceof KeySetUnavailable) {
        return {
          ok: false,
          unavailable: true,
          reason: `the identity provider's keys could not be fetched from ${shownUrl(this.config.jwksUrl ?? '')} (CRM_JWKS_URL): ${err.message}`,
        };
      }
      const code = (err as { code?: unknown }).code;
      if (code === 'ERR_JWT_EXPIRED') return { ok: false, reason: 'token expired' };
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
        return { ok: false, reason: 'token signature is not valid' };
      }
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
        return { ok: false, reason: `token claim check failed: ${(err as Error).message}` };
      }
      return { ok: false, reason: `token rejected: ${(err as Error).message}` };
    }
  }
}
