import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessDeniedMessage,
  arnMatch,
  authorize,
  DecisionReason,
  evaluateCondition,
  parsePolicy,
  PolicyParseError,
  wildcardMatch,
} from '../../src/security/policy.js';
import type { AuthorizationRequest, ConditionContext, PolicyDocument, PolicyPrincipal } from '../../src/security/policy.js';

const ALICE: PolicyPrincipal = { arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', isRoot: false };
const BOB_OTHER: PolicyPrincipal = { arn: 'arn:aws:iam::444455556666:user/bob', accountId: '444455556666', isRoot: false };
const ROOT_OTHER: PolicyPrincipal = { arn: 'arn:aws:iam::444455556666:root', accountId: '444455556666', isRoot: true };
const STREAM = 'arn:aws:kinesis:us-east-1:111122223333:stream/orders';

function identity(...statements: object[]): PolicyDocument {
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, 'identity');
}
function resource(...statements: object[]): PolicyDocument {
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, 'resource');
}
function request(overrides: Partial<AuthorizationRequest>): AuthorizationRequest {
  return {
    principal: ALICE,
    action: 'kinesis:PutRecord',
    resource: STREAM,
    resourceAccountId: '111122223333',
    identityPolicies: [],
    context: {},
    ...overrides,
  };
}
const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

void describe('policy evaluation', () => {
  void it('denies implicitly when nothing allows', () => {
    assert.deepEqual(authorize(request({})), { allowed: false, reason: DecisionReason.NoIdentityAllow });
  });

  void it('allows by exact action, case-insensitively, and by wildcard action', () => {
    assert.equal(authorize(request({ identityPolicies: [identity({ Effect: 'Allow', Action: 'kinesis:putrecord', Resource: STREAM })] })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [identity({ Effect: 'Allow', Action: 'kinesis:Put*', Resource: STREAM })] })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [identity({ Effect: 'Allow', Action: 'kinesis:Put?ecord', Resource: STREAM })] })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [identity({ Effect: 'Allow', Action: 'kinesis:Get*', Resource: STREAM })] })).allowed, false);
    assert.equal(authorize(request({ identityPolicies: [identity({ Effect: 'Allow', Action: 'firehose:*', Resource: '*' })] })).allowed, false);
  });

  void it('lets an explicit Deny override any Allow', () => {
    const d = authorize(
      request({
        identityPolicies: [identity(allowAll), identity({ Effect: 'Deny', Action: 'kinesis:PutRecord', Resource: 'arn:aws:kinesis:*:*:stream/ord*' })],
      }),
    );
    assert.deepEqual(d, { allowed: false, reason: DecisionReason.ExplicitDenyIdentity });
    const r = authorize(
      request({
        identityPolicies: [identity(allowAll)],
        resourcePolicy: resource({ Effect: 'Deny', Principal: '*', Action: 'kinesis:*', Resource: STREAM }),
      }),
    );
    assert.deepEqual(r, { allowed: false, reason: DecisionReason.ExplicitDenyResource });
  });

  void it('supports NotAction and NotResource', () => {
    const p = identity({ Effect: 'Allow', NotAction: ['kinesis:Delete*'], Resource: '*' });
    assert.equal(authorize(request({ identityPolicies: [p] })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [p], action: 'kinesis:DeleteStream' })).allowed, false);
    const q = identity({ Effect: 'Allow', Action: 'kinesis:*', NotResource: 'arn:aws:kinesis:us-east-1:111122223333:stream/secret-*' });
    assert.equal(authorize(request({ identityPolicies: [q] })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [q], resource: 'arn:aws:kinesis:us-east-1:111122223333:stream/secret-1' })).allowed, false);
  });

  void it('matches resources with * and ? case-sensitively', () => {
    const p = identity({ Effect: 'Allow', Action: 'kinesis:*', Resource: 'arn:aws:kinesis:us-east-1:111122223333:stream/ord?rs' });
    assert.equal(authorize(request({ identityPolicies: [p] })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [p], resource: STREAM.replace('orders', 'Orders') })).allowed, false);
    const consumer = `${STREAM}/consumer/app:1700000000`;
    const c = identity({ Effect: 'Allow', Action: 'kinesis:SubscribeToShard', Resource: `${STREAM}/consumer/*` });
    assert.equal(authorize(request({ identityPolicies: [c], action: 'kinesis:SubscribeToShard', resource: consumer })).allowed, true);
  });

  void it('substitutes policy variables in resources', () => {
    const p = identity({ Effect: 'Allow', Action: 'kinesis:*', Resource: 'arn:aws:kinesis:*:*:stream/${aws:username}-*' });
    const ctx = { 'aws:username': 'alice' };
    assert.equal(authorize(request({ identityPolicies: [p], context: ctx, resource: 'arn:aws:kinesis:us-east-1:111122223333:stream/alice-logs' })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [p], context: ctx, resource: 'arn:aws:kinesis:us-east-1:111122223333:stream/bob-logs' })).allowed, false);
  });

  void it('same account: a resource policy naming the user allows without an identity policy', () => {
    const rp = resource({ Effect: 'Allow', Principal: { AWS: ALICE.arn }, Action: 'kinesis:PutRecord', Resource: STREAM });
    assert.equal(authorize(request({ resourcePolicy: rp })).allowed, true);
    // Naming only the account delegates to identity policies: not enough on its own.
    const acct = resource({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kinesis:PutRecord', Resource: STREAM });
    assert.equal(authorize(request({ resourcePolicy: acct })).allowed, false);
  });

  void it('cross account: needs both the identity policy and the resource policy', () => {
    const base = { principal: BOB_OTHER, resourceAccountId: '111122223333' };
    const idp = identity({ Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: STREAM });
    const rp = resource({ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: STREAM });
    assert.deepEqual(authorize(request({ ...base, identityPolicies: [idp] })), { allowed: false, reason: DecisionReason.NoResourceAllow });
    assert.deepEqual(authorize(request({ ...base, resourcePolicy: rp })), { allowed: false, reason: DecisionReason.NoIdentityAllow });
    assert.deepEqual(authorize(request({ ...base, identityPolicies: [idp], resourcePolicy: rp })), { allowed: true, reason: DecisionReason.Allowed });
    const byArn = resource({ Effect: 'Allow', Principal: { AWS: [BOB_OTHER.arn] }, Action: 'kinesis:*', Resource: '*' });
    assert.equal(authorize(request({ ...base, identityPolicies: [idp], resourcePolicy: byArn })).allowed, true);
    const otherUser = resource({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:user/carol' }, Action: 'kinesis:*', Resource: '*' });
    assert.equal(authorize(request({ ...base, identityPolicies: [idp], resourcePolicy: otherUser })).allowed, false);
    const notPrincipal = resource({ Effect: 'Deny', NotPrincipal: { AWS: ALICE.arn }, Action: 'kinesis:*', Resource: '*' });
    assert.equal(authorize(request({ ...base, identityPolicies: [idp], resourcePolicy: notPrincipal })).allowed, false);
    assert.equal(authorize(request({ identityPolicies: [idp], resourcePolicy: notPrincipal })).allowed, true);
  });

  void it('root: everything in its own account; cross-account only through the resource policy', () => {
    assert.equal(authorize(request({ principal: { ...ROOT_OTHER }, resourceAccountId: '444455556666' })).allowed, true);
    assert.equal(authorize(request({ principal: ROOT_OTHER })).allowed, false);
    const rp = resource({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kinesis:*', Resource: STREAM });
    assert.equal(authorize(request({ principal: ROOT_OTHER, resourcePolicy: rp })).allowed, true);
  });

  void it('builds the AWS AccessDenied message shapes', () => {
    assert.equal(
      accessDeniedMessage(ALICE.arn, 'kinesis:PutRecord', STREAM, DecisionReason.NoIdentityAllow),
      'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:111122223333:stream/orders because no identity-based policy allows the kinesis:PutRecord action',
    );
    assert.match(accessDeniedMessage(ALICE.arn, 'kinesis:PutRecord', STREAM, DecisionReason.ExplicitDenyIdentity), / with an explicit deny in an identity-based policy$/);
    assert.match(accessDeniedMessage(ALICE.arn, 'kinesis:PutRecord', STREAM, DecisionReason.ExplicitDenyResource), / with an explicit deny in a resource-based policy$/);
    assert.match(accessDeniedMessage(ALICE.arn, 'kinesis:PutRecord', STREAM, DecisionReason.NoResourceAllow), / because no resource-based policy allows the kinesis:PutRecord action$/);
  });
});

function cond(operator: string, key: string, values: string | string[], context: ConditionContext): boolean | undefined {
  return evaluateCondition({ operator, key, values: typeof values === 'string' ? [values] : values }, context);
}

void describe('condition operators', () => {
  void it('String operators', () => {
    const ctx = { 'aws:PrincipalAccount': '111122223333', 'aws:username': 'Alice' };
    assert.equal(cond('StringEquals', 'aws:PrincipalAccount', ['1', '111122223333'], ctx), true);
    assert.equal(cond('StringEquals', 'aws:principalaccount', '111122223333', ctx), true, 'keys are case-insensitive');
    assert.equal(cond('StringEquals', 'aws:username', 'alice', ctx), false);
    assert.equal(cond('StringEqualsIgnoreCase', 'aws:username', 'alice', ctx), true);
    assert.equal(cond('StringNotEqualsIgnoreCase', 'aws:username', 'ALICE', ctx), false);
    assert.equal(cond('StringNotEquals', 'aws:username', ['Bob', 'Carol'], ctx), true);
    assert.equal(cond('StringNotEquals', 'aws:username', ['Bob', 'Alice'], ctx), false);
    assert.equal(cond('StringLike', 'aws:username', 'A*e', ctx), true);
    assert.equal(cond('StringLike', 'aws:username', 'A??ce', ctx), true);
    assert.equal(cond('StringNotLike', 'aws:username', 'B*', ctx), true);
    assert.equal(cond('StringNotLike', 'aws:username', 'A*', ctx), false);
  });

  void it('missing keys, IfExists and Null', () => {
    assert.equal(cond('StringEquals', 'aws:SourceVpc', 'vpc-1', {}), false);
    assert.equal(cond('StringEqualsIfExists', 'aws:SourceVpc', 'vpc-1', {}), true);
    assert.equal(cond('StringEqualsIfExists', 'aws:SourceVpc', 'vpc-1', { 'aws:SourceVpc': 'vpc-2' }), false);
    assert.equal(cond('StringNotEquals', 'aws:SourceVpc', 'vpc-1', {}), true);
    assert.equal(cond('Null', 'aws:SourceVpc', 'true', {}), true);
    assert.equal(cond('Null', 'aws:SourceVpc', 'false', {}), false);
    assert.equal(cond('Null', 'aws:SourceIp', 'false', { 'aws:SourceIp': '10.0.0.1' }), true);
  });

  void it('Numeric operators', () => {
    const ctx = { 'kinesis:n': '10' };
    assert.equal(cond('NumericEquals', 'kinesis:n', '10', ctx), true);
    assert.equal(cond('NumericNotEquals', 'kinesis:n', '10', ctx), false);
    assert.equal(cond('NumericLessThan', 'kinesis:n', '11', ctx), true);
    assert.equal(cond('NumericLessThan', 'kinesis:n', '10', ctx), false);
    assert.equal(cond('NumericLessThanEquals', 'kinesis:n', '10', ctx), true);
    assert.equal(cond('NumericGreaterThan', 'kinesis:n', '9.5', ctx), true);
    assert.equal(cond('NumericGreaterThanEquals', 'kinesis:n', '11', ctx), false);
    assert.equal(cond('NumericEquals', 'kinesis:n', 'abc', ctx), false);
  });

  void it('Date operators (ISO 8601 and epoch seconds)', () => {
    const ctx = { 'aws:CurrentTime': '2026-11-22T04:30:00Z' };
    assert.equal(cond('DateLessThan', 'aws:CurrentTime', '2027-01-01T00:00:00Z', ctx), true);
    assert.equal(cond('DateLessThan', 'aws:CurrentTime', '2026-01-01T00:00:00Z', ctx), false);
    assert.equal(cond('DateGreaterThan', 'aws:CurrentTime', '2026-01-01', ctx), true);
    assert.equal(cond('DateGreaterThanEquals', 'aws:CurrentTime', String(Date.UTC(2026, 10, 22, 4, 30) / 1000), ctx), true);
    assert.equal(cond('DateLessThanEquals', 'aws:CurrentTime', '2026-11-22T04:29:59Z', ctx), false);
    assert.equal(cond('DateEquals', 'aws:CurrentTime', '2026-11-22T04:30:00.000Z', ctx), true);
    assert.equal(cond('DateNotEquals', 'aws:CurrentTime', '2026-11-22T04:30:00Z', ctx), false);
  });

  void it('Bool', () => {
    assert.equal(cond('Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': 'true' }), true);
    assert.equal(cond('Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': 'true' }), false);
    assert.equal(cond('Bool', 'aws:SecureTransport', 'FALSE', { 'aws:SecureTransport': 'false' }), true);
  });

  void it('IpAddress / NotIpAddress with IPv4, IPv6 and mapped addresses', () => {
    assert.equal(cond('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.7' }), true);
    assert.equal(cond('IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.114.7' }), false);
    assert.equal(cond('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '127.0.0.1'], { 'aws:SourceIp': '::ffff:127.0.0.1' }), true);
    assert.equal(cond('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db8::1' }), true);
    assert.equal(cond('IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '10.1.1.1' }), false);
    assert.equal(cond('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '192.168.1.1' }), true);
    assert.equal(cond('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', { 'aws:SourceIp': '10.9.9.9' }), false);
    assert.equal(cond('IpAddress', 'aws:SourceIp', 'not-a-cidr', { 'aws:SourceIp': '10.9.9.9' }), false);
  });

  void it('ArnEquals / ArnLike / ArnNotLike', () => {
    const ctx = { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/alice' };
    assert.equal(cond('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:user/alice', ctx), true);
    assert.equal(cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:user/a*', ctx), true);
    assert.equal(cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::444455556666:user/*', ctx), false);
    assert.equal(cond('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::444455556666:*', ctx), true);
    assert.equal(cond('ArnNotEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:user/alice', ctx), false);
    assert.equal(arnMatch('arn:aws:kinesis:*:*:stream/*', 'arn:aws:kinesis:us-east-1:1:stream/a/consumer/c:1'), true);
    assert.equal(arnMatch('arn:aws:kinesis:us-*:*:*', 'arn:aws:kinesis:eu-west-1:1:stream/a'), false);
  });

  void it('ForAnyValue and ForAllValues on multi-valued keys', () => {
    const ctx = { 'aws:TagKeys': ['env', 'team'] };
    assert.equal(cond('ForAnyValue:StringEquals', 'aws:TagKeys', ['env'], ctx), true);
    assert.equal(cond('ForAnyValue:StringEquals', 'aws:TagKeys', ['owner'], ctx), false);
    assert.equal(cond('ForAllValues:StringEquals', 'aws:TagKeys', ['env', 'team', 'owner'], ctx), true);
    assert.equal(cond('ForAllValues:StringEquals', 'aws:TagKeys', ['env'], ctx), false);
    assert.equal(cond('ForAllValues:StringEquals', 'aws:TagKeys', ['env'], {}), true, 'vacuously true when absent');
    assert.equal(cond('ForAnyValue:StringEquals', 'aws:TagKeys', ['env'], {}), false);
    assert.equal(cond('ForAllValues:StringNotLike', 'aws:TagKeys', ['secret*'], ctx), true);
  });

  void it('conditions inside statements: AND across keys, Deny with a condition, unknown operators fail closed', () => {
    const p = identity({
      Effect: 'Allow',
      Action: 'kinesis:*',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'true' } },
    });
    assert.equal(authorize(request({ identityPolicies: [p], context: { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'true' } })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [p], context: { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'false' } })).allowed, false);
    const deny = identity({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-06-01T00:00:00Z' } } });
    assert.equal(authorize(request({ identityPolicies: [identity(allowAll), deny], context: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } })).allowed, true);
    assert.equal(authorize(request({ identityPolicies: [identity(allowAll), deny], context: { 'aws:CurrentTime': '2026-11-01T00:00:00Z' } })).allowed, false);
    // A stored policy with an operator we cannot evaluate: an Allow never grants, a Deny applies.
    const odd: PolicyDocument = { statements: [{ effect: 'Deny', action: ['*'], resource: ['*'], condition: [{ operator: 'BinaryEquals', key: 'k', values: ['x'] }] }] };
    assert.equal(authorize(request({ identityPolicies: [identity(allowAll), odd] })).allowed, false);
    const oddAllow: PolicyDocument = { statements: [{ effect: 'Allow', action: ['*'], resource: ['*'], condition: [{ operator: 'BinaryEquals', key: 'k', values: ['x'] }] }] };
    assert.equal(authorize(request({ identityPolicies: [oddAllow] })).allowed, false);
  });
});

void describe('policy parsing', () => {
  void it('names the bad field', () => {
    const bad = (doc: unknown, kind: 'identity' | 'resource', re: RegExp): void => {
      assert.throws(() => parsePolicy(doc, kind, 'p'), (err: unknown) => err instanceof PolicyParseError && re.test(err.message));
    };
    bad({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }, 'identity', /^p\.Statement\[0\]\.Effect must be "Allow" or "Deny"$/);
    bad({ Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'identity', /Statement\[0\] must have Action or NotAction/);
    bad({ Statement: [{ Effect: 'Allow', Action: '*', NotAction: '*', Resource: '*' }] }, 'identity', /both Action and NotAction/);
    bad({ Statement: [{ Effect: 'Allow', Action: '*' }] }, 'identity', /must have Resource or NotResource/);
    bad({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }] }, 'identity', /identity policy must not have Principal/);
    bad({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'resource', /resource policy must have Principal/);
    bad({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { a: 'b' } } }] }, 'identity', /unsupported operator "StringEqualz"/);
    bad({ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }, 'identity', /Action must be a string or a non-empty array/);
    bad({ Version: '2020-01-01', Statement: [] }, 'identity', /Version/);
    bad('{not json', 'identity', /not valid JSON/);
    bad({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Actions: 'x' }] }, 'identity', /unknown field "Actions"/);
  });

  void it('accepts a single statement object and JSON text', () => {
    const p = parsePolicy('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333"]},"Action":"kinesis:*","Resource":"*"}}', 'resource');
    assert.equal(p.statements.length, 1);
    assert.deepEqual(p.statements[0].principal, { any: false, aws: ['111122223333'] });
  });

  void it('wildcards escape regex characters', () => {
    assert.equal(wildcardMatch('a.b*', 'a.bcd'), true);
    assert.equal(wildcardMatch('a.b*', 'axbcd'), false);
    assert.equal(wildcardMatch('(x)+?', '(x)+y'), true);
  });
});
