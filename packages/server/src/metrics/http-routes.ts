/**
 * The metrics subsystem's routes on the server's one port, handed to the HTTP listener as its side
 * routes (see http/listener.ts `SideRoutes`):
 *
 * - `GET /metrics`: Prometheus text exposition (prometheus.ts).
 * - `POST /` with `X-Amz-Target: GraniteServiceVersion20100801.<Op>` (awsJson1_0, cloudwatch-json.ts)
 *   or form-encoded `Action=<Op>` without a target (awsQuery, cloudwatch-query.ts): the
 *   CloudWatch-compatible reads. Other targets stay with the AWS protocol router.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isCloudWatchRequest } from './cloudwatch-json.js';
import { isCloudWatchQueryRequest } from './cloudwatch-query.js';
import type { MetricsService } from './metrics-service.js';

export interface MetricsHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface MetricsRoutes {
  get(path: string): Promise<MetricsHttpResponse> | undefined;
  claims(headers: IncomingHttpHeaders): boolean;
  post(headers: IncomingHttpHeaders, body: Buffer): Promise<MetricsHttpResponse>;
}

export function createMetricsRoutes(metrics: MetricsService): MetricsRoutes {
  return {
    get(path) {
      const q = path.indexOf('?');
      if ((q === -1 ? path : path.slice(0, q)) !== '/metrics') return undefined;
      return metrics.prometheus.render().then((text) => ({
        status: 200,
        headers: { 'content-type': metrics.prometheus.contentType, 'cache-control': 'no-store' },
        body: text,
      }));
    },
    claims(headers) {
      return isCloudWatchRequest(headers) || isCloudWatchQueryRequest(headers);
    },
    post(headers, body) {
      return metrics.handleCloudWatch({ method: 'POST', path: '/', headers, body });
    },
  };
}
