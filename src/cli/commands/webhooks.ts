import { createEndpoint, deleteEndpoint, listClientEndpoints, rotateSigningKey } from '../../modules/webhooks/endpoint.service.js';
import { EVENT_TYPES } from '../../modules/webhooks/events.js';
import { checkUrlSyntax } from '../../modules/webhooks/ssrf.js';
import { JSON_OPTION } from '../options.js';
import { checkUuid, list, optional, required, UsageError } from '../validate.js';
import { unitOfWork } from '../../db/unit-of-work.js';
import { CLIENT_ID, clientIdOption, ENDPOINT_ID, MAX_OVERLAP_SECONDS, print, withClient, type Command } from '../command.js';

/** Webhook endpoints of a client. */
export const WEBHOOKS_COMMANDS: Record<string, Command> = {
  'webhook add': {
    usage: 'voucherd webhook add --client-id ID --url URL [--event TYPE]... [--description TEXT] [--json]',
    summary: 'Register a webhook endpoint for a client (docs/webhooks.md). The signing key is shown once.',
    options: {
      ...CLIENT_ID,
      url: { type: 'string', value: 'URL', description: 'Where deliveries are POSTed: http(s), no credentials or fragment (required)' },
      event: { type: 'string', multiple: true, value: 'TYPE', description: `Only these event types (default: all): ${EVENT_TYPES.join(', ')}` },
      description: { type: 'string', value: 'TEXT', description: 'A note for operators' },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const clientId = clientIdOption(values);
      const url = required(values, 'url');
      const verdict = checkUrlSyntax(url, config.webhookAllowPrivateTargets);
      if (!verdict.ok) throw new UsageError(`--url is refused: ${verdict.reason}`);
      const events = list(values, 'event');
      const unknown = events?.find((e) => !(EVENT_TYPES as readonly string[]).includes(e));
      if (unknown !== undefined) throw new UsageError(`--event must be one of ${EVENT_TYPES.join(', ')} (got "${unknown}")`);
      const description = optional(values, 'description');
      const endpoint = await withClient(config, clientId, (ctx) => createEndpoint(ctx, { clientId, url, ...(events ? { eventTypes: events } : {}), ...(description !== undefined ? { description } : {}) }, unitOfWork(ctx.database)));
      print(
        values,
        endpoint,
        `webhook_endpoint_id  ${endpoint.webhook_endpoint_id}\nurl                  ${endpoint.url}\nevents               ${endpoint.event_types?.join(' ') ?? '(all)'}\nsigning_key          ${endpoint.signing_key} (shown once)`,
      );
    },
  },
  'webhook list': {
    usage: 'voucherd webhook list --client-id ID [--json]',
    summary: "List a client's webhook endpoints (signing keys are never shown again).",
    options: { ...CLIENT_ID, ...JSON_OPTION },
    async run(values, config) {
      const endpoints = await withClient(config, clientIdOption(values), listClientEndpoints);
      print(
        values,
        { webhook_endpoints: endpoints },
        endpoints.length ? endpoints.map((e) => `${e.webhook_endpoint_id}  ${e.status.padEnd(8)}  ${e.url}  ${e.event_types?.join(',') ?? '(all)'}`).join('\n') : 'No webhook endpoints.',
      );
    },
  },
  'webhook remove': {
    usage: 'voucherd webhook remove --client-id ID --id ENDPOINT_ID [--json]',
    summary: 'Remove a webhook endpoint; its pending deliveries stop.',
    options: { ...CLIENT_ID, ...ENDPOINT_ID, ...JSON_OPTION },
    async run(values, config) {
      const clientId = clientIdOption(values);
      const id = checkUuid('id', required(values, 'id'));
      await withClient(config, clientId, (ctx) => deleteEndpoint(ctx, clientId, id));
      print(values, { webhook_endpoint_id: id, removed: true }, `Removed ${id}.`);
    },
  },
  'webhook rotate': {
    usage: 'voucherd webhook rotate --client-id ID --id ENDPOINT_ID [--overlap-seconds N] [--json]',
    summary: 'Issue a new signing key; the old one keeps signing for the overlap.',
    options: {
      ...CLIENT_ID,
      ...ENDPOINT_ID,
      'overlap-seconds': { type: 'string', value: 'N', description: `How long the old key keeps signing too, 0 to ${MAX_OVERLAP_SECONDS} (default WEBHOOK_KEY_OVERLAP_SECONDS)` },
      ...JSON_OPTION,
    },
    async run(values, config) {
      const clientId = clientIdOption(values);
      const id = checkUuid('id', required(values, 'id'));
      const overlapRaw = optional(values, 'overlap-seconds');
      if (overlapRaw !== undefined && (!/^\d+$/.test(overlapRaw) || Number(overlapRaw) > MAX_OVERLAP_SECONDS)) {
        throw new UsageError(`--overlap-seconds must be a whole number from 0 to ${MAX_OVERLAP_SECONDS}`);
      }
      const endpoint = await withClient(config, clientId, (ctx) => rotateSigningKey(ctx, clientId, id, overlapRaw === undefined ? undefined : Number(overlapRaw), unitOfWork(ctx.database)));
      print(
        values,
        endpoint,
        `webhook_endpoint_id  ${endpoint.webhook_endpoint_id}\nsigning_key          ${endpoint.signing_key} (shown once)\nold key valid until  ${endpoint.previous_key_expires_at === null ? '(retired now)' : new Date(endpoint.previous_key_expires_at).toISOString()}`,
      );
    },
  },
};
