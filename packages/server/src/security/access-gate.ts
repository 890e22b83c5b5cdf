/**
 * The one entry point the protocol layer calls for security: authenticate a request (SigV4, or only
 * read its credential scope with `--auth off`) and authorize an operation on its resources (identity
 * policies + the resource's policy, IAM evaluation). Plain inputs only: no HTTP types.
 *
 *   const who = await gate.authenticate({ method, path, query, headers, body });   // throws ServiceError
 *   await gate.authorize(who, 'PutRecord', typedInput, { region, sourceIp, secureTransport });
 *
 * Modes: `off` — any well-formed (or missing) signature is accepted; the account is the identity's
 * when the access key is known, a 12-digit access key id is taken as the account id, otherwise the
 * server default; nothing is authorized. `sigv4` — signatures are verified (sigv4.ts) and every
 * operation is authorized (policy.ts), with AccessDeniedException as AWS words it.
 */
import type { Caller, Clock } from '../model/context.js';
import { ServiceError } from '../model/service-error.js';
import { actionTarget, resourceAccountOf } from './actions.js';
import type { ActionResolution } from './actions.js';
import type { AuditIdentity } from './audit-log.js';
import type { CredentialStore, Identity } from './auth-file.js';
import { accessDeniedMessage, authorize, parsePolicy, PolicyParseError } from './policy.js';
import type { ConditionContext, PolicyDocument } from './policy.js';
import { authorizationHeaderScope, queryCredentialScope, readCredentialScope, verifySigV4 } from './sigv4.js';
import type { CredentialScope, SigV4Request } from './sigv4.js';

export const AuthMode = { off: 'off', sigv4: 'sigv4' } as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

export interface AuthenticatedRequest {
  /** For RequestContext.caller. */
  readonly caller: Caller;
  /** The verified identity (sigv4), or the known identity of the key (off), if any. */
  readonly identity?: Identity | undefined;
  /** Region from the credential scope, when the request carried one. */
  readonly region?: string | undefined;
  /** userIdentity for the audit log. */
  readonly auditIdentity: AuditIdentity;
  /** Whether the signature was verified. */
  readonly verified: boolean;
}

export interface AuthorizationContext {
  readonly region: string;
  readonly sourceIp: string;
  readonly secureTransport: boolean;
}

export interface AccessGateOptions {
  readonly mode: AuthMode;
  readonly credentials: CredentialStore;
  /** SigV4 signing name of the service, e.g. `kinesis`. */
  readonly service: string;
  readonly defaultAccountId: string;
  readonly clock: Clock;
  readonly maxSkewMs?: number | undefined;
  /**
   * The resource policy attached to a stream or consumer ARN (PutResourcePolicy), as stored (JSON text
   * or an object), or undefined when there is none.
   */
  readonly resourcePolicy?: ((resourceArn: string) => Promise<unknown>) | undefined;
  /** Stream ARN of a shard iterator (GetRecords authorization), when it can be decoded. */
  readonly iteratorStreamArn?: ActionResolution['iteratorStreamArn'];
  /** Consumer ARN from stream ARN + consumer name. */
  readonly consumerArn?: ActionResolution['consumerArn'];
}

const AUTHORIZATION = 'authorization';

function auditIdentityOf(identity: Identity | undefined, accountId: string, accessKeyId: string | undefined): AuditIdentity {
  if (!identity) return { type: 'AWSAccount', accountId, accessKeyId, principalId: accountId };
  return {
    type: identity.type,
    principalId: identity.userId,
    arn: identity.arn,
    accountId: identity.accountId,
    accessKeyId: identity.accessKeyId,
    userName: identity.userName,
  };
}

/**
 * `--auth off`: the request must still carry a well-formed SigV4 Authorization header or presigned
 * query (MissingAuthenticationTokenException / IncompleteSignatureException); nothing is verified.
 * Exported for tests and bench/auth-off-gate.ts.
 */
export function checkForm(request: SigV4Request): CredentialScope {
  const headers = request.headers;
  // Node lower-cases header names; other callers may not.
  let auth = headers.authorization;
  /** Whether some header named Authorization in any case has a value (what readCredentialScope reads). */
  let anyValue = auth !== undefined;
  if (auth === undefined) {
    let first = true;
    for (const name of Object.keys(headers)) {
      if (name.length !== AUTHORIZATION.length || name.toLowerCase() !== AUTHORIZATION) continue;
      const value = headers[name];
      // The first such header decides, as a search of the entries would; any with a value counts below.
      if (first) auth = value;
      first = false;
      if (value !== undefined) anyValue = true;
    }
  }
  if (auth !== undefined && auth !== '') {
    return authorizationHeaderScope(typeof auth === 'string' ? auth : auth.join(','));
  }
  const scope = anyValue ? readCredentialScope(request) : queryCredentialScope(request.query);
  if (scope === undefined) throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  return scope;
}

export class AccessGate {
  constructor(private readonly options: AccessGateOptions) {}

  get mode(): AuthMode {
    return this.options.mode;
  }

  /**
   * Authenticate (sigv4) or identify (off) the caller; `service` is the signing name the credential
   * scope must name (default: the gate's). Throws the AWS authentication errors.
   */
  async authenticate(request: SigV4Request, service: string = this.options.service): Promise<AuthenticatedRequest> {
    const o = this.options;
    if (o.mode === AuthMode.sigv4) {
      const v = await verifySigV4(request, { credentials: o.credentials, service, clock: o.clock, maxSkewMs: o.maxSkewMs });
      return {
        caller: { accountId: v.identity.accountId, accessKeyId: v.accessKeyId, principalArn: v.identity.arn },
        identity: v.identity,
        region: v.region,
        auditIdentity: auditIdentityOf(v.identity, v.identity.accountId, v.accessKeyId),
        verified: true,
      };
    }
    const scope = checkForm(request);
    const identity = o.credentials.lookup(scope.accessKeyId);
    const accountId = identity?.accountId ?? (/^\d{12}$/.test(scope.accessKeyId) ? scope.accessKeyId : o.defaultAccountId);
    return {
      caller: { accountId, accessKeyId: scope.accessKeyId, principalArn: identity?.arn },
      identity,
      region: scope.region,
      auditIdentity: auditIdentityOf(identity, accountId, scope.accessKeyId),
      verified: false,
    };
  }

  /** The condition keys of a request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html). */
  conditionContext(identity: Identity, ctx: AuthorizationContext, resourceAccountId: string): ConditionContext {
    const now = this.options.clock.now();
    return {
      'aws:SourceIp': ctx.sourceIp.startsWith('::ffff:') ? ctx.sourceIp.slice(7) : ctx.sourceIp,
      'aws:SecureTransport': ctx.secureTransport ? 'true' : 'false',
      'aws:PrincipalAccount': identity.accountId,
      'aws:PrincipalArn': identity.arn,
      'aws:PrincipalType': identity.type === 'Root' ? 'Account' : 'User',
      'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'aws:EpochTime': String(Math.floor(now / 1000)),
      'aws:RequestedRegion': ctx.region,
      'aws:username': identity.userName,
      'aws:userid': identity.userId,
      'aws:ResourceAccount': resourceAccountId,
    };
  }

  private async resourcePolicyFor(arn: string): Promise<PolicyDocument | undefined> {
    if (arn === '*' || !this.options.resourcePolicy) return undefined;
    const stored = await this.options.resourcePolicy(arn);
    if (stored === undefined || stored === null) return undefined;
    try {
      return parsePolicy(stored, 'resource', `resource policy of ${arn}`);
    } catch (err) {
      if (!(err instanceof PolicyParseError)) throw err;
      // A stored policy that no longer parses grants nothing and denies everything (fail closed).
      return { statements: [{ effect: 'Deny', action: ['*'], resource: ['*'], principal: { any: true, aws: [] } }] };
    }
  }

  /**
   * Authorize `operation` with its validated input. No-op with `--auth off`. Throws
   * AccessDeniedException ("User: <arn> is not authorized to perform: kinesis:<Op> on resource: <arn> …").
   */
  async authorize(who: AuthenticatedRequest, operation: string, input: unknown, ctx: AuthorizationContext): Promise<void> {
    if (this.options.mode !== AuthMode.sigv4) return;
    const identity = who.identity;
    if (!identity) throw new ServiceError('AccessDeniedException', `User is not authorized to perform: kinesis:${operation}`);
    const target = await actionTarget(operation, input, {
      accountId: identity.accountId,
      region: ctx.region,
      iteratorStreamArn: this.options.iteratorStreamArn,
      consumerArn: this.options.consumerArn,
    });
    await this.authorizeAction(who, target.action, target.resources, ctx);
  }

  /**
   * Authorize an IAM action (e.g. `cloudwatch:GetMetricData`) on resources for an authenticated caller.
   * No-op with `--auth off`. Throws AccessDeniedException.
   */
  async authorizeAction(who: AuthenticatedRequest, action: string, resources: readonly string[], ctx: AuthorizationContext): Promise<void> {
    if (this.options.mode !== AuthMode.sigv4) return;
    const identity = who.identity;
    if (!identity) throw new ServiceError('AccessDeniedException', `User is not authorized to perform: ${action}`);
    const target = { action, resources };
    for (const resource of target.resources) {
      const resourceAccountId = resourceAccountOf(resource, identity.accountId);
      const decision = authorize({
        principal: { arn: identity.arn, accountId: identity.accountId, isRoot: identity.type === 'Root' },
        action: target.action,
        resource,
        resourceAccountId,
        identityPolicies: identity.policies,
        resourcePolicy: await this.resourcePolicyFor(resource),
        context: this.conditionContext(identity, ctx, resourceAccountId),
      });
      if (!decision.allowed) {
        throw new ServiceError('AccessDeniedException', accessDeniedMessage(identity.arn, target.action, resource, decision.reason));
      }
    }
  }
}
