import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics: process metrics, one request counter and one latency histogram labelled by
 * route pattern (never the raw URL, so ids do not explode the label space) and status code, and
 * the context's domain metrics (domain-metrics.ts). One HTTP registry per app, so several apps in
 * one process do not collide.
 */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'voucherd_' });
  // prom-client's totals of these are gauges named `_total`, which Prometheus' naming rules (and
  // `promtool check metrics`) reserve for counters; the per-type gauges without the suffix stay.
  for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) registry.removeSingleMetric(`voucherd_nodejs_${name}`);
  const requests = new Counter({
    name: 'voucherd_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'voucherd_http_request_duration_seconds',
    help: 'HTTP request duration by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  const served = Registry.merge([registry, ctx.metrics.registry]);
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.type(served.contentType);
    return served.metrics();
  });
  return served;
}
