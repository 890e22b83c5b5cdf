/**
 * UpdateAccountSettings: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateAccountSettings.html
 * MinimumThroughputBillingCommitment (API_MinimumThroughputBillingCommitmentInput): enabling starts a
 * commitment of at least 24 hours (EarliestAllowedEndAt); disabling before then schedules the end
 * (ENABLED_UNTIL_EARLIEST_ALLOWED_END) and enabling again cancels it; disabling after ends it now.
 */
import type { RequestContext } from '../../model/context.js';
import type { UpdateAccountSettingsInput, UpdateAccountSettingsOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { Commitment } from '../account.js';
import { commitmentOutput, readAccountSettings } from '../account.js';
import type { KinesisEnv } from '../env.js';
import type { AccountSettingsRecord } from '../records.js';
import { accountSettingsKey } from '../records.js';
import { resolveKinesisSettings } from '../settings.js';
import { StorageError, StorageErrorCode } from '../../storage/contract.js';

export function nextCommitment(current: Commitment, desired: 'ENABLED' | 'DISABLED', nowMs: number, minimumMs: number): Commitment {
  if (desired === 'ENABLED') {
    if (current.status === 'ENABLED') return current;
    if (current.status === 'ENABLED_UNTIL_EARLIEST_ALLOWED_END') return { ...current, status: 'ENABLED' };
    return { status: 'ENABLED', startedMs: nowMs, earliestAllowedEndMs: nowMs + minimumMs };
  }
  if (current.status === 'DISABLED') return current;
  if (current.earliestAllowedEndMs !== undefined && nowMs < current.earliestAllowedEndMs) {
    return { ...current, status: 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' };
  }
  return { ...current, status: 'DISABLED', endedMs: nowMs };
}

export async function updateAccountSettings(
  env: KinesisEnv,
  input: UpdateAccountSettingsInput,
  context: RequestContext,
): Promise<UpdateAccountSettingsOutput> {
  const scope = env.streams.scopeOf(context);
  const minimumMs = resolveKinesisSettings(env.settings).billingCommitmentMinimumMs;
  const desired = input.MinimumThroughputBillingCommitment.Status;
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await readAccountSettings(env, scope.accountId, scope.region);
    const next = nextCommitment(current.commitment, desired, env.clock.now(), minimumMs);
    const record: AccountSettingsRecord = { ...current.stored?.value, minimumThroughputBillingCommitment: next };
    try {
      await env.storage.metadata.commit([
        { type: 'put', key: accountSettingsKey(scope.accountId, scope.region), value: record, expectVersion: current.stored?.version ?? 0 },
      ]);
      return { MinimumThroughputBillingCommitment: commitmentOutput(next) };
    } catch (err) {
      if (!(err instanceof StorageError && err.code === StorageErrorCode.CONFLICT)) throw err;
    }
  }
  throw new ServiceError('LimitExceededException', 'Too many concurrent updates to the account settings; retry the request.');
}
