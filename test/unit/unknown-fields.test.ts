import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { prefersStrict, renderIgnoredFields, walkUnknownFields } from '../../src/http/unknown-fields.js';
import { enumOf } from '../../src/http/schema-types.js';

const Location = Type.Object({ latitude: Type.Number(), address: Type.String() }, { additionalProperties: false });
const Body = Type.Object(
  {
    name: Type.String(),
    status: Type.Optional(Type.Union([enumOf(['ACTIVE', 'CANCELED'] as const), Type.Null()])),
    kind: Type.Optional(enumOf(['SINGLE', 'DAILY'] as const)),
    pickup_locations: Type.Optional(Type.Array(Location)),
    code_format: Type.Optional(Type.Object({ length: Type.Integer() }, { additionalProperties: false })),
    metadata: Type.Optional(Type.Record(Type.String(), Type.String())),
    anything: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

function walk(data: unknown, remove = true) {
  const found: string[] = [];
  const out = walkUnknownFields(Body as never, data, '', found, remove);
  return { out, found };
}

describe('the unknown-field rule (one walk for every route)', () => {
  it('names and removes unknown properties at the top, in nested objects and inside array items', () => {
    const { out, found } = walk({
      name: 'x',
      organization_id: 'o',
      code_format: { length: 12, checksum: false },
      pickup_locations: [{ latitude: 1, address: 'a' }, { latitude: 2, address: 'b', radius_km: 3 }],
    });
    expect(found).toEqual(['organization_id', 'code_format.checksum', 'pickup_locations[1].radius_km']);
    expect(out).toEqual({ name: 'x', code_format: { length: 12 }, pickup_locations: [{ latitude: 1, address: 'a' }, { latitude: 2, address: 'b' }] });
  });

  it('strict mode names the same paths and changes nothing', () => {
    const data = { name: 'x', extra: 1, code_format: { length: 1, more: 2 } };
    const { out, found } = walk(data, false);
    expect(found).toEqual(['extra', 'code_format.more']);
    expect(out).toEqual({ name: 'x', extra: 1, code_format: { length: 1, more: 2 } });
  });

  it('leaves open objects (records) and unknown-typed values alone', () => {
    const { out, found } = walk({ name: 'x', metadata: { a: 'b', c: 'd' }, anything: { deep: { x: 1 } } });
    expect(found).toEqual([]);
    expect(out).toEqual({ name: 'x', metadata: { a: 'b', c: 'd' }, anything: { deep: { x: 1 } } });
  });

  it('matches enum values in any letter case and rewrites them to the canonical spelling, also through a nullable union', () => {
    expect(walk({ name: 'x', kind: 'daily', status: 'Active' }).out).toEqual({ name: 'x', kind: 'DAILY', status: 'ACTIVE' });
    expect(walk({ name: 'x', status: null }).out).toEqual({ name: 'x', status: null });
    // Not a member in any case: left as sent, for validation to refuse by name.
    expect(walk({ name: 'x', kind: 'WEEKLY' }).out).toEqual({ name: 'x', kind: 'WEEKLY' });
    expect(walk({ name: 'x', kind: 5 }).out).toEqual({ name: 'x', kind: 5 });
  });

  it('a prototype-named key is treated as data, never as the schema\'s', () => {
    const data = JSON.parse('{"name":"x","constructor":1,"toString":2}');
    expect(walk(data).found).toEqual(['constructor', 'toString']);
  });

  it('non-object bodies pass through for validation to refuse', () => {
    expect(walk([1, 2]).found).toEqual([]);
    expect(walk('text').out).toBe('text');
    expect(walk(undefined).out).toBeUndefined();
  });

  it('Prefer: handling=strict is found in any list position and letter case (RFC 7240)', () => {
    expect(prefersStrict('handling=strict')).toBe(true);
    expect(prefersStrict('respond-async, Handling=Strict; foo=bar')).toBe(true);
    expect(prefersStrict(['return=minimal', 'handling="strict"'])).toBe(true);
    expect(prefersStrict('handling=lenient')).toBe(false);
    expect(prefersStrict(undefined)).toBe(false);
    expect(prefersStrict('strict')).toBe(false);
  });

  it('the header value is bounded and never carries raw control or separator characters', () => {
    expect(renderIgnoredFields(['a', 'b.c', 'd[0].e'])).toBe('a,b.c,d[0].e');
    const odd = renderIgnoredFields(['bad\r\nSet-Cookie: x', 'ok']);
    expect(odd).not.toMatch(/[\r\n ]/);
    expect(odd.split(',')).toHaveLength(2);
    const many = renderIgnoredFields(Array.from({ length: 500 }, (_, i) => `field_${i}_${'x'.repeat(60)}`));
    expect(many.length).toBeLessThanOrEqual(2000);
  });
});
