/**
 * DescribeAccountSettings: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeAccountSettings.html
 */
import type { RequestContext } from '../../model/context.js';
import type { DescribeAccountSettingsInput, DescribeAccountSettingsOutput } from '../../model/generated/kinesis-types.js';
import { commitmentOutput, readAccountSettings } from '../account.js';
import type { KinesisEnv } from '../env.js';

export async function describeAccountSettings(
  env: KinesisEnv,
  _input: DescribeAccountSettingsInput,
  context: RequestContext,
): Promise<DescribeAccountSettingsOutput> {
  const scope = env.streams.scopeOf(context);
  const settings = await readAccountSettings(env, scope.accountId, scope.region);
  return { MinimumThroughputBillingCommitment: commitmentOutput(settings.commitment) };
}
