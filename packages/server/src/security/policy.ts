/**
 * IAM-style policy documents: parsing (with clear errors) and evaluation as IAM evaluates them.
 *
 * Evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 *   1. An explicit Deny in any applicable policy (identity or resource) denies.
 *   2. Same account: an Allow in the identity policies OR in the resource policy allows (a resource
 *      policy that names only the account principal `arn:aws:iam::<acct>:root` delegates to the
 *      identity policies and does not grant by itself).
 *   3. Cross account: the request needs an Allow from BOTH the caller's identity policies and the
 *      resource policy.
 *   4. Otherwise: implicit deny.
 * The account root user (a key configured with --root-access-key-id) has every permission in its own
 * account; its identity "policies" allow everything, resource-policy Deny still applies.
 *
 * Grammar (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
 *   policy    = { "Version"?, "Id"?, "Statement": statement | [statement, …] }
 *   statement = { "Sid"?, "Effect": "Allow"|"Deny", ("Principal"|"NotPrincipal")?,
 *                 ("Action"|"NotAction"), ("Resource"|"NotResource")?, "Condition"? }
 * Actions match case-insensitively with `*` and `?`; resources case-sensitively. Condition blocks are
 * ANDed across operators and keys; a key's value list is ORed (for negated operators: matches none).
 * Policy variables `${aws:username}` etc. are substituted in Resource and condition values.
 */
import { BlockList, isIP } from 'node:net';

export const Effect = { Allow: 'Allow', Deny: 'Deny' } as const;
export type Effect = (typeof Effect)[keyof typeof Effect];

/** A statement normalised to arrays. Exactly one of action/notAction is set (same for the others). */
export interface PolicyStatement {
  readonly sid?: string | undefined;
  readonly effect: Effect;
  readonly principal?: PrincipalSpec | undefined;
  readonly notPrincipal?: PrincipalSpec | undefined;
  readonly action?: readonly string[] | undefined;
  readonly notAction?: readonly string[] | undefined;
  readonly resource?: readonly string[] | undefined;
  readonly notResource?: readonly string[] | undefined;
  readonly condition?: readonly ConditionClause[] | undefined;
}

/** `"*"` is `{ any: true }`; `{"AWS": [...]}` lists account ids / ARNs; other principal types never match a Shardline caller. */
export interface PrincipalSpec {
  readonly any: boolean;
  readonly aws: readonly string[];
}

export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface PolicyDocument {
  readonly version?: string | undefined;
  readonly id?: string | undefined;
  readonly statements: readonly PolicyStatement[];
}

/** A policy document that failed validation; `message` names the bad field. */
export class PolicyParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyParseError';
  }
}

const baseOperators = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Null',
]);

const negatedOperators = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
]);

interface ParsedOperator {
  readonly base: string;
  readonly set?: 'ForAnyValue' | 'ForAllValues' | undefined;
  readonly ifExists: boolean;
}

/** Splits `ForAllValues:StringLikeIfExists` into its parts; undefined when the operator is unknown. */
export function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator;
  let set: ParsedOperator['set'];
  if (rest.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue';
    rest = rest.slice('ForAnyValue:'.length);
  } else if (rest.startsWith('ForAllValues:')) {
    set = 'ForAllValues';
    rest = rest.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('IfExists') && rest !== 'Null') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (!baseOperators.has(rest)) return undefined;
  if (rest === 'Null' && (ifExists || set)) return undefined;
  return { base: rest, set, ifExists };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  throw new PolicyParseError(`${where} must be a string or a non-empty array of strings`);
}

function conditionValues(value: unknown, where: string): string[] {
  const one = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new PolicyParseError(`${where} values must be strings, numbers or booleans`);
  };
  if (Array.isArray(value)) {
    if (value.length === 0) throw new PolicyParseError(`${where} must not be an empty array`);
    return value.map(one);
  }
  return [one(value)];
}

function parsePrincipal(value: unknown, where: string): PrincipalSpec {
  if (value === '*') return { any: true, aws: [] };
  if (!isRecord(value)) throw new PolicyParseError(`${where} must be "*" or an object such as {"AWS": "<account id or ARN>"}`);
  const known = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) throw new PolicyParseError(`${where} has an unknown principal type "${k}" (expected one of ${known.join(', ')})`);
  }
  const aws = value.AWS === undefined ? [] : stringList(value.AWS, `${where}.AWS`);
  for (const k of ['Service', 'Federated', 'CanonicalUser']) if (value[k] !== undefined) stringList(value[k], `${where}.${k}`);
  return { any: aws.includes('*'), aws };
}

function parseStatement(raw: unknown, where: string): PolicyStatement {
  if (!isRecord(raw)) throw new PolicyParseError(`${where} must be an object`);
  const allowedKeys = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
  for (const k of Object.keys(raw)) {
    if (!allowedKeys.includes(k)) throw new PolicyParseError(`${where} has an unknown field "${k}"`);
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyParseError(`${where}.Sid must be a string`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') throw new PolicyParseError(`${where}.Effect must be "Allow" or "Deny"`);
  const pair = (a: string, b: string, required: boolean): void => {
    if (raw[a] !== undefined && raw[b] !== undefined) throw new PolicyParseError(`${where} must not have both ${a} and ${b}`);
    if (required && raw[a] === undefined && raw[b] === undefined) throw new PolicyParseError(`${where} must have ${a} or ${b}`);
  };
  pair('Action', 'NotAction', true);
  pair('Resource', 'NotResource', false);
  pair('Principal', 'NotPrincipal', false);
  let condition: ConditionClause[] | undefined;
  if (raw.Condition !== undefined) {
    if (!isRecord(raw.Condition)) throw new PolicyParseError(`${where}.Condition must be an object`);
    condition = [];
    for (const [operator, block] of Object.entries(raw.Condition)) {
      if (!parseOperator(operator)) throw new PolicyParseError(`${where}.Condition has an unsupported operator "${operator}"`);
      if (!isRecord(block)) throw new PolicyParseError(`${where}.Condition.${operator} must be an object of condition keys`);
      for (const [key, values] of Object.entries(block)) {
        condition.push({ operator, key, values: conditionValues(values, `${where}.Condition.${operator}.${key}`) });
      }
    }
  }
  return {
    sid: raw.Sid,
    effect: raw.Effect,
    principal: raw.Principal === undefined ? undefined : parsePrincipal(raw.Principal, `${where}.Principal`),
    notPrincipal: raw.NotPrincipal === undefined ? undefined : parsePrincipal(raw.NotPrincipal, `${where}.NotPrincipal`),
    action: raw.Action === undefined ? undefined : stringList(raw.Action, `${where}.Action`),
    notAction: raw.NotAction === undefined ? undefined : stringList(raw.NotAction, `${where}.NotAction`),
    resource: raw.Resource === undefined ? undefined : stringList(raw.Resource, `${where}.Resource`),
    notResource: raw.NotResource === undefined ? undefined : stringList(raw.NotResource, `${where}.NotResource`),
    condition,
  };
}

export type PolicyKind = 'identity' | 'resource';

/**
 * Parse and validate a policy document (an object, or its JSON text). Identity policies must not name
 * a Principal and must name a Resource; resource policies must name a Principal.
 * Throws {@link PolicyParseError} whose message names the bad field, prefixed by `where`.
 */
export function parsePolicy(input: unknown, kind: PolicyKind, where = 'policy'): PolicyDocument {
  let raw = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input) as unknown;
    } catch (err) {
      throw new PolicyParseError(`${where} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isRecord(raw)) throw new PolicyParseError(`${where} must be a JSON object`);
  for (const k of Object.keys(raw)) {
    if (!['Version', 'Id', 'Statement'].includes(k)) throw new PolicyParseError(`${where} has an unknown field "${k}"`);
  }
  if (raw.Version !== undefined && raw.Version !== '2012-10-17' && raw.Version !== '2008-10-17') {
    throw new PolicyParseError(`${where}.Version must be "2012-10-17" or "2008-10-17"`);
  }
  if (raw.Id !== undefined && typeof raw.Id !== 'string') throw new PolicyParseError(`${where}.Id must be a string`);
  if (raw.Statement === undefined) throw new PolicyParseError(`${where}.Statement is required`);
  const list = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const statements = list.map((s, i) => parseStatement(s, `${where}.Statement[${i}]`));
  statements.forEach((s, i) => {
    const at = `${where}.Statement[${i}]`;
    if (kind === 'identity') {
      if (s.principal || s.notPrincipal) throw new PolicyParseError(`${at}: an identity policy must not have Principal or NotPrincipal`);
      if (!s.resource && !s.notResource) throw new PolicyParseError(`${at} must have Resource or NotResource`);
    } else if (!s.principal && !s.notPrincipal) {
      throw new PolicyParseError(`${at}: a resource policy must have Principal or NotPrincipal`);
    }
  });
  return { version: raw.Version as string | undefined, id: raw.Id as string | undefined, statements };
}

// ---------------------------------------------------------------------------------------------
// Matching

const patternCache = new Map<string, RegExp>();

/** IAM wildcard match: `*` any run of characters, `?` exactly one. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const cacheKey = (ignoreCase ? 'i' : 's') + pattern;
  let re = patternCache.get(cacheKey);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(cacheKey, re);
  }
  return re.test(value);
}

/**
 * ArnLike / ArnEquals: the six colon-separated parts are compared one by one, each with wildcards
 * (the resource part keeps any further colons).
 */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const split = (s: string): string[] | undefined => {
    const parts = s.split(':');
    if (parts.length < 6) return undefined;
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const a = split(arn);
  if (!p || !a) return false;
  return p.every((part, i) => wildcardMatch(part, a[i]));
}

/** Condition keys and values of one request. Keys are matched case-insensitively. */
export type ConditionContext = Readonly<Record<string, string | readonly string[] | undefined>>;

function contextValue(context: ConditionContext, key: string): readonly string[] | undefined {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) {
    if (k.toLowerCase() === lower) {
      if (v === undefined) return undefined;
      return typeof v === 'string' ? [v] : v;
    }
  }
  return undefined;
}

/** Replace `${aws:username}`-style policy variables; `${*}`, `${?}`, `${$}` are literal characters. */
export function substituteVariables(text: string, context: ConditionContext): string {
  if (!text.includes('${')) return text;
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === '*' || name === '?' || name === '$') return name;
    const [key, fallback] = name.split(/\s*,\s*/);
    const v = contextValue(context, key);
    if (v && v.length === 1) return v[0];
    if (fallback !== undefined) return fallback.replace(/^'(.*)'$/, '$1');
    // An unresolvable variable never matches (IAM treats the statement as not matching).
    return `\u0000unresolved:${whole}`;
  });
}

function parseDateValue(value: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function ipMatches(cidr: string, address: string): boolean {
  const normalise = (a: string): string => (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a);
  const addr = normalise(address);
  const family = isIP(addr);
  if (family === 0) return false;
  const [net, prefixText] = cidr.trim().split('/');
  const netAddr = normalise(net);
  const netFamily = isIP(netAddr);
  if (netFamily === 0 || netFamily !== family) return false;
  const maxPrefix = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(netAddr, prefix, type);
  return list.check(addr, type);
}

/** Whether one request value matches one policy value under the (non-negated) base operator. */
function matchOne(base: string, requestValue: string, policyValue: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return requestValue === policyValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatch(policyValue, requestValue);
    case 'NumericEquals':
    case 'NumericNotEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals': {
      if (requestValue.trim() === '' || policyValue.trim() === '') return false;
      const r = Number(requestValue);
      const p = Number(policyValue);
      if (Number.isNaN(r) || Number.isNaN(p)) return false;
      if (base === 'NumericLessThan') return r < p;
      if (base === 'NumericLessThanEquals') return r <= p;
      if (base === 'NumericGreaterThan') return r > p;
      if (base === 'NumericGreaterThanEquals') return r >= p;
      return r === p;
    }
    case 'DateEquals':
    case 'DateNotEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals': {
      const r = parseDateValue(requestValue);
      const p = parseDateValue(policyValue);
      if (r === undefined || p === undefined) return false;
      if (base === 'DateLessThan') return r < p;
      if (base === 'DateLessThanEquals') return r <= p;
      if (base === 'DateGreaterThan') return r > p;
      if (base === 'DateGreaterThanEquals') return r >= p;
      return r === p;
    }
    case 'Bool':
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case 'IpAddress':
    case 'NotIpAddress':
      return ipMatches(policyValue, requestValue);
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      return arnMatch(policyValue, requestValue);
    default:
      return false;
  }
}

/**
 * Evaluate one condition clause. Returns undefined for an operator this evaluator does not know, so
 * that the caller can fail closed (an unknown operator never grants, and a Deny with one applies).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
export function evaluateCondition(clause: ConditionClause, context: ConditionContext): boolean | undefined {
  const op = parseOperator(clause.operator);
  if (!op) return undefined;
  const requestValues = contextValue(context, clause.key);
  const policyValues = clause.values.map((v) => substituteVariables(v, context));
  if (op.base === 'Null') {
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === 'true' ? absent : !absent));
  }
  const negated = negatedOperators.has(op.base);
  // Whether a single request value satisfies the operator against the policy values.
  const satisfies = (rv: string): boolean => {
    const any = policyValues.some((pv) => matchOne(op.base, rv, pv));
    return negated ? !any : any;
  };
  const absent = requestValues === undefined || requestValues.length === 0;
  if (op.set === 'ForAllValues') {
    // Vacuously true for an absent or empty key.
    if (absent) return true;
    return requestValues.every(satisfies);
  }
  if (op.set === 'ForAnyValue') {
    if (absent) return op.ifExists;
    return requestValues.some(satisfies);
  }
  if (absent) {
    // IfExists: a missing key satisfies the condition. A negated operator is true for a missing key.
    return op.ifExists || negated;
  }
  return requestValues.some(satisfies);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Who is calling, as policies see it. */
export interface PolicyPrincipal {
  /** e.g. `arn:aws:iam::111122223333:user/alice` or `arn:aws:iam::111122223333:root`. */
  readonly arn: string;
  readonly accountId: string;
  /** The account root user: all permissions in its own account. */
  readonly isRoot: boolean;
}

export interface AuthorizationRequest {
  readonly principal: PolicyPrincipal;
  /** e.g. `kinesis:PutRecord`. */
  readonly action: string;
  /** An ARN, or `*` for actions without a resource type. */
  readonly resource: string;
  /** Account owning the resource (from its ARN); the caller's account for `*`. */
  readonly resourceAccountId: string;
  readonly identityPolicies: readonly PolicyDocument[];
  readonly resourcePolicy?: PolicyDocument | undefined;
  readonly context: ConditionContext;
}

export const DecisionReason = {
  Allowed: 'Allowed',
  ExplicitDenyIdentity: 'ExplicitDenyIdentity',
  ExplicitDenyResource: 'ExplicitDenyResource',
  NoIdentityAllow: 'NoIdentityAllow',
  NoResourceAllow: 'NoResourceAllow',
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];

export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
}

/** How a statement applies to a request: not at all, or (for Allow in a resource policy) via which principal match. */
type StatementMatch = 'none' | 'match' | 'accountOnly';

function principalMatch(spec: PrincipalSpec, principal: PolicyPrincipal): 'none' | 'specific' | 'account' {
  if (spec.any) return 'specific';
  let best: 'none' | 'specific' | 'account' = 'none';
  for (const entry of spec.aws) {
    if (entry === principal.accountId || entry === `arn:aws:iam::${principal.accountId}:root`) {
      // The account principal: any principal of that account (delegated to its identity policies),
      // except that the account's root user is this principal itself.
      if (principal.isRoot) return 'specific';
      best = 'account';
    } else if (entry === principal.arn) {
      return 'specific';
    }
  }
  return best;
}

function statementApplies(s: PolicyStatement, request: AuthorizationRequest, kind: PolicyKind): StatementMatch | 'unknown' {
  const action = request.action;
  if (s.action && !s.action.some((p) => wildcardMatch(p, action, true))) return 'none';
  if (s.notAction && s.notAction.some((p) => wildcardMatch(p, action, true))) return 'none';
  const ctx = request.context;
  const resourceMatches = (p: string): boolean => wildcardMatch(substituteVariables(p, ctx), request.resource);
  if (s.resource && !s.resource.some(resourceMatches)) return 'none';
  if (s.notResource && s.notResource.some(resourceMatches)) return 'none';
  let result: StatementMatch = 'match';
  if (kind === 'resource') {
    if (s.principal) {
      const m = principalMatch(s.principal, request.principal);
      if (m === 'none') return 'none';
      if (m === 'account') result = 'accountOnly';
    }
    if (s.notPrincipal && principalMatch(s.notPrincipal, request.principal) !== 'none') return 'none';
  }
  for (const clause of s.condition ?? []) {
    const ok = evaluateCondition(clause, ctx);
    if (ok === undefined) return 'unknown';
    if (!ok) return 'none';
  }
  return result;
}

interface PolicySetResult {
  readonly deny: boolean;
  readonly allow: boolean;
  /** An Allow that matched only through the account principal (delegation). */
  readonly allowAccountOnly: boolean;
}

function evaluateSet(policies: readonly PolicyDocument[], request: AuthorizationRequest, kind: PolicyKind): PolicySetResult {
  let deny = false;
  let allow = false;
  let allowAccountOnly = false;
  for (const policy of policies) {
    for (const s of policy.statements) {
      const m = statementApplies(s, request, kind);
      if (s.effect === 'Deny') {
        // Fail closed: a Deny whose condition cannot be evaluated applies.
        if (m !== 'none') deny = true;
      } else if (m === 'match') {
        allow = true;
      } else if (m === 'accountOnly') {
        allowAccountOnly = true;
      }
    }
  }
  return { deny, allow, allowAccountOnly };
}

/** Decide a request as IAM does (see the module comment). */
export function authorize(request: AuthorizationRequest): Decision {
  const sameAccount = request.principal.accountId === request.resourceAccountId;
  // A root user's own account grants it everything (cross-account, the resource policy still decides).
  const identity: PolicySetResult = request.principal.isRoot
    ? { deny: false, allow: true, allowAccountOnly: false }
    : evaluateSet(request.identityPolicies, request, 'identity');
  const resource = request.resourcePolicy
    ? evaluateSet([request.resourcePolicy], request, 'resource')
    : { deny: false, allow: false, allowAccountOnly: false };
  if (identity.deny) return { allowed: false, reason: DecisionReason.ExplicitDenyIdentity };
  if (resource.deny) return { allowed: false, reason: DecisionReason.ExplicitDenyResource };
  if (sameAccount) {
    if (identity.allow || resource.allow) return { allowed: true, reason: DecisionReason.Allowed };
    return { allowed: false, reason: DecisionReason.NoIdentityAllow };
  }
  const resourceGrants = resource.allow || resource.allowAccountOnly;
  if (!identity.allow) return { allowed: false, reason: DecisionReason.NoIdentityAllow };
  if (!resourceGrants) return { allowed: false, reason: DecisionReason.NoResourceAllow };
  return { allowed: true, reason: DecisionReason.Allowed };
}

/**
 * The AccessDeniedException message, in the shape AWS uses
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html), e.g.
 * "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kinesis:PutRecord on
 * resource: arn:aws:kinesis:us-east-1:111122223333:stream/foo because no identity-based policy allows
 * the kinesis:PutRecord action".
 */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, reason: DecisionReason): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (reason) {
    case DecisionReason.ExplicitDenyIdentity:
      return `${head} with an explicit deny in an identity-based policy`;
    case DecisionReason.ExplicitDenyResource:
      return `${head} with an explicit deny in a resource-based policy`;
    case DecisionReason.NoResourceAllow:
      return `${head} because no resource-based policy allows the ${action} action`;
    default:
      return `${head} because no identity-based policy allows the ${action} action`;
  }
}
