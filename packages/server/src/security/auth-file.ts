/**
 * Identities: the `--auth-file` document and the optional single root key (flags/environment).
 *
 * Accepted form (JSON):
 *   {"accounts": [{"id": "111122223333",
 *                  "users": [{"name": "alice", "accessKeyId": "AKIA…", "secretAccessKey": "…",
 *                             "policies": [<IAM policy document>, …]}]}]}
 * Validation errors name the bad field (`accounts[0].users[1].accessKeyId: …`). Unknown fields are
 * rejected (a typo such as `secretKey` must not silently produce a user without a secret). Access key
 * ids are unique across the whole file and the root key.
 *
 * Secrets are held in {@link Secret}, whose JSON and inspect forms are redacted, so an identity can be
 * logged without leaking its secret.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { parsePolicy, PolicyParseError } from './policy.js';
import type { PolicyDocument } from './policy.js';

/** A secret string that never appears in logs, JSON or `util.inspect` output. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself: only for signing-key derivation. */
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[REDACTED]';
  }
  toString(): string {
    return '[REDACTED]';
  }
  [inspect.custom](): string {
    return 'Secret([REDACTED])';
  }
}

export const IdentityType = { IAMUser: 'IAMUser', Root: 'Root' } as const;
export type IdentityType = (typeof IdentityType)[keyof typeof IdentityType];

export interface Identity {
  readonly type: IdentityType;
  readonly accountId: string;
  /** IAM user name; undefined for the root user. */
  readonly userName?: string | undefined;
  /** `arn:aws:iam::<account>:user/<name>` or `arn:aws:iam::<account>:root`. */
  readonly arn: string;
  /** Stable unique id, as `aws:userid` and CloudTrail's principalId (AIDA… for users, the account id for root). */
  readonly userId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: Secret;
  /** Identity-based policies (attached to the user). Unused for root, which has every permission. */
  readonly policies: readonly PolicyDocument[];
}

/** An auth file or root key that failed validation; the message names the source and the bad field. */
export class AuthFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthFileError';
  }
}

/** Lookup of identities by access key id. */
export class CredentialStore {
  private readonly byKey = new Map<string, Identity>();

  constructor(identities: readonly Identity[] = []) {
    for (const identity of identities) this.add(identity);
  }

  /** Adds an identity; throws {@link AuthFileError} on a duplicate access key id. */
  add(identity: Identity): void {
    if (this.byKey.has(identity.accessKeyId)) {
      throw new AuthFileError(`duplicate access key id ${identity.accessKeyId}`);
    }
    this.byKey.set(identity.accessKeyId, identity);
  }

  lookup(accessKeyId: string): Identity | undefined {
    return this.byKey.get(accessKeyId);
  }

  get size(): number {
    return this.byKey.size;
  }

  identities(): Identity[] {
    return [...this.byKey.values()];
  }
}

const accountIdPattern = /^\d{12}$/;
/** IAM user names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html */
const userNamePattern = /^[\w+=,.@-]{1,64}$/;
/** Access key ids: 16–128 word characters (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKey.html). */
const accessKeyIdPattern = /^\w{16,128}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) throw new AuthFileError(`${where}: unknown field "${k}" (allowed: ${allowed.join(', ')})`);
  }
}

/** A stable IAM-style unique id (`AIDA` + 17 characters) for a user. */
export function userUniqueId(accountId: string, userName: string): string {
  const digest = createHash('sha256').update(`${accountId}/${userName}`).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = 'AIDA';
  for (let i = 0; i < 17; i++) out += alphabet[digest[i] % 32];
  return out;
}

function validateAccessKey(accessKeyId: unknown, secret: unknown, where: string): { accessKeyId: string; secret: string } {
  if (typeof accessKeyId !== 'string' || !accessKeyIdPattern.test(accessKeyId)) {
    throw new AuthFileError(`${where}.accessKeyId must be 16 to 128 letters, digits or underscores`);
  }
  if (typeof secret !== 'string' || secret.length < 1 || /[\s]/.test(secret)) {
    // The secret itself is never echoed.
    throw new AuthFileError(`${where}.secretAccessKey must be a non-empty string without whitespace`);
  }
  return { accessKeyId, secret };
}

/**
 * Parse and validate an auth file's text. `source` (a path) prefixes every error message.
 */
export function parseAuthFile(text: string, source = 'auth file'): Identity[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (err) {
    throw new AuthFileError(`${source}: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const fail = (message: string): never => {
    throw new AuthFileError(`${source}: ${message}`);
  };
  if (!isRecord(raw)) return fail('must be a JSON object with an "accounts" array');
  try {
    checkKeys(raw, ['accounts'], 'top level');
  } catch (err) {
    return fail((err as Error).message);
  }
  if (!Array.isArray(raw.accounts) || raw.accounts.length === 0) return fail('accounts must be a non-empty array');
  const identities: Identity[] = [];
  const seenAccounts = new Set<string>();
  const seenKeys = new Set<string>();
  raw.accounts.forEach((account: unknown, ai: number) => {
    const aw = `accounts[${ai}]`;
    if (!isRecord(account)) return fail(`${aw} must be an object`);
    try {
      checkKeys(account, ['id', 'users'], aw);
    } catch (err) {
      return fail((err as Error).message);
    }
    if (typeof account.id !== 'string' || !accountIdPattern.test(account.id)) return fail(`${aw}.id must be a 12-digit account id string`);
    if (seenAccounts.has(account.id)) return fail(`${aw}.id: duplicate account ${account.id}`);
    seenAccounts.add(account.id);
    const accountId = account.id;
    if (!Array.isArray(account.users)) return fail(`${aw}.users must be an array`);
    const seenNames = new Set<string>();
    account.users.forEach((user: unknown, ui: number) => {
      const uw = `${aw}.users[${ui}]`;
      if (!isRecord(user)) return fail(`${uw} must be an object`);
      try {
        checkKeys(user, ['name', 'accessKeyId', 'secretAccessKey', 'policies'], uw);
      } catch (err) {
        return fail((err as Error).message);
      }
      if (typeof user.name !== 'string' || !userNamePattern.test(user.name)) {
        return fail(`${uw}.name must be 1 to 64 characters of letters, digits and +=,.@_-`);
      }
      if (seenNames.has(user.name)) return fail(`${uw}.name: duplicate user "${user.name}" in account ${accountId}`);
      seenNames.add(user.name);
      let key: { accessKeyId: string; secret: string };
      try {
        key = validateAccessKey(user.accessKeyId, user.secretAccessKey, uw);
      } catch (err) {
        return fail((err as Error).message);
      }
      if (seenKeys.has(key.accessKeyId)) return fail(`${uw}.accessKeyId: duplicate access key id ${key.accessKeyId}`);
      seenKeys.add(key.accessKeyId);
      const policiesRaw = user.policies ?? [];
      if (!Array.isArray(policiesRaw)) return fail(`${uw}.policies must be an array of IAM policy documents`);
      const policies = policiesRaw.map((p: unknown, pi: number) => {
        try {
          return parsePolicy(p, 'identity', `${uw}.policies[${pi}]`);
        } catch (err) {
          if (err instanceof PolicyParseError) return fail(err.message);
          throw err;
        }
      });
      identities.push({
        type: IdentityType.IAMUser,
        accountId,
        userName: user.name,
        arn: `arn:aws:iam::${accountId}:user/${user.name}`,
        userId: userUniqueId(accountId, user.name),
        accessKeyId: key.accessKeyId,
        secretAccessKey: new Secret(key.secret),
        policies,
      });
    });
  });
  return identities;
}

/** Read and validate an auth file. */
export async function loadAuthFile(path: string): Promise<Identity[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AuthFileError(`auth file ${path}: cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    });
  }
  return parseAuthFile(text, `auth file ${path}`);
}

/** The account root user for a key given by flags/environment. */
export function rootIdentity(options: { accessKeyId: string; secretAccessKey: string; accountId: string }): Identity {
  const { accessKeyId, secret } = validateAccessKey(options.accessKeyId, options.secretAccessKey, 'root key');
  if (!accountIdPattern.test(options.accountId)) throw new AuthFileError(`root key: account id must be 12 digits`);
  return {
    type: IdentityType.Root,
    accountId: options.accountId,
    arn: `arn:aws:iam::${options.accountId}:root`,
    userId: options.accountId,
    accessKeyId,
    secretAccessKey: new Secret(secret),
    policies: [],
  };
}

export interface CredentialSources {
  /** Path of the `--auth-file`. */
  readonly authFile?: string | undefined;
  /** `--root-access-key-id` / `--root-secret-access-key` (both or neither). */
  readonly rootAccessKeyId?: string | undefined;
  readonly rootSecretAccessKey?: string | undefined;
  /** Account of the root key (the server's default account). */
  readonly defaultAccountId: string;
}

/** Build the credential store from the configured sources; throws {@link AuthFileError} with a clear message. */
export async function loadCredentials(sources: CredentialSources): Promise<CredentialStore> {
  const store = new CredentialStore();
  if (sources.authFile !== undefined) for (const identity of await loadAuthFile(sources.authFile)) store.add(identity);
  const hasId = sources.rootAccessKeyId !== undefined && sources.rootAccessKeyId !== '';
  const hasSecret = sources.rootSecretAccessKey !== undefined && sources.rootSecretAccessKey !== '';
  if (hasId !== hasSecret) throw new AuthFileError('root key: give both the access key id and the secret access key, or neither');
  if (hasId && hasSecret) {
    const root = rootIdentity({
      accessKeyId: sources.rootAccessKeyId as string,
      secretAccessKey: sources.rootSecretAccessKey as string,
      accountId: sources.defaultAccountId,
    });
    if (store.lookup(root.accessKeyId)) throw new AuthFileError(`root key: access key id ${root.accessKeyId} is also in the auth file`);
    store.add(root);
  }
  return store;
}
