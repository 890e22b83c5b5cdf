/**
 * DisableEnhancedMonitoring: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DisableEnhancedMonitoring.html
 */
import type { RequestContext } from '../../model/context.js';
import type { DisableEnhancedMonitoringInput, EnhancedMonitoringOutput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { changeMonitoring } from './enable-enhanced-monitoring.js';

export function disableEnhancedMonitoring(
  env: KinesisEnv,
  input: DisableEnhancedMonitoringInput,
  context: RequestContext,
): Promise<EnhancedMonitoringOutput> {
  return changeMonitoring(env, input, context, false);
}
