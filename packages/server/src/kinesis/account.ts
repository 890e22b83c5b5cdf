/**
 * Account-level settings (DescribeAccountSettings / UpdateAccountSettings): the minimum throughput
 * billing commitment. "Commitments have a minimum duration of 24 hours … If you attempt to disable a
 * commitment before the minimum commitment period ends, the commitment will be scheduled for
 * automatic disable at the earliest allowed end time. You can cancel a pending disable by enabling
 * the commitment again before the earliest allowed end time."
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_MinimumThroughputBillingCommitmentInput.html
 */
import type { Versioned } from '../storage/contract.js';
import type { KinesisEnv } from './env.js';
import type { AccountSettingsRecord, BillingCommitmentStatus } from './records.js';
import { accountSettingsKey } from './records.js';

export interface Commitment {
  readonly status: BillingCommitmentStatus;
  readonly startedMs?: number | undefined;
  readonly endedMs?: number | undefined;
  readonly earliestAllowedEndMs?: number | undefined;
}

export interface AccountSettings {
  readonly commitment: Commitment;
  /** The stored record (undefined when the account never changed its settings). */
  readonly stored?: Versioned<AccountSettingsRecord> | undefined;
}

/** The commitment as of `nowMs` (a scheduled disable takes effect at the earliest allowed end). */
export function effectiveCommitment(record: AccountSettingsRecord | undefined, nowMs: number): Commitment {
  const c = record?.minimumThroughputBillingCommitment;
  if (!c) return { status: 'DISABLED' };
  if (c.status === 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' && c.earliestAllowedEndMs !== undefined && nowMs >= c.earliestAllowedEndMs) {
    return { status: 'DISABLED', startedMs: c.startedMs, endedMs: c.earliestAllowedEndMs, earliestAllowedEndMs: c.earliestAllowedEndMs };
  }
  return c;
}

export async function readAccountSettings(env: KinesisEnv, accountId: string, region: string): Promise<AccountSettings> {
  const stored = await env.storage.metadata.get<AccountSettingsRecord>(accountSettingsKey(accountId, region));
  return { commitment: effectiveCommitment(stored?.value, env.clock.now()), stored };
}

/** The MinimumThroughputBillingCommitmentOutput shape. */
export function commitmentOutput(c: Commitment): {
  Status: BillingCommitmentStatus;
  StartedAt?: Date;
  EndedAt?: Date;
  EarliestAllowedEndAt?: Date;
} {
  const out: { Status: BillingCommitmentStatus; StartedAt?: Date; EndedAt?: Date; EarliestAllowedEndAt?: Date } = { Status: c.status };
  if (c.startedMs !== undefined) out.StartedAt = new Date(c.startedMs);
  if (c.endedMs !== undefined) out.EndedAt = new Date(c.endedMs);
  if (c.earliestAllowedEndMs !== undefined) out.EarliestAllowedEndAt = new Date(c.earliestAllowedEndMs);
  return out;
}
