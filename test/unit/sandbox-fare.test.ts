import { describe, expect, it } from 'vitest';
import { distanceMeters } from '../../src/lib/geo.js';
import { checkGeofence, parseGeofences } from '../../src/modules/redemption/geofence.js';
import { quoteFare } from '../../src/modules/sandbox/fare.js';
import { DEFAULT_RATES } from '../../src/modules/sandbox/rates.js';

const ORIGIN = { latitude: 0, longitude: 0 };

describe('great-circle distance', () => {
  it('matches known distances', () => {
    // 1° of arc on the mean sphere = 111.195 km; SFO → JFK is about 4,152 km.
    expect(distanceMeters(ORIGIN, { latitude: 1, longitude: 0 })).toBeCloseTo(111_195, -1);
    expect(distanceMeters({ latitude: 37.6213, longitude: -122.379 }, { latitude: 40.6413, longitude: -73.7781 }) / 1000).toBeCloseTo(4152, -1);
    expect(distanceMeters(ORIGIN, ORIGIN)).toBe(0);
    // Antipodes: half the circumference, no NaN from rounding.
    expect(distanceMeters(ORIGIN, { latitude: 0, longitude: 180 })).toBeCloseTo(Math.PI * 6_371_008.8, 0);
  });
});

describe('sandbox fare', () => {
  const rate = { base: 2, per_km: 1, per_minute: 0.5, minimum: 5, kmh: 60 };
  it('is base + per km + per estimated minute, in minor units', () => {
    expect(quoteFare(rate, ORIGIN, { latitude: 0, longitude: 0.1 }, 2).fareMinor).toBe(1868);
    // A zero-decimal currency (JPY) rounds to whole units.
    expect(quoteFare(rate, ORIGIN, { latitude: 0, longitude: 0.1 }, 0).fareMinor).toBe(19);
  });
  it('never goes below the minimum', () => {
    expect(quoteFare(rate, ORIGIN, ORIGIN, 2).fareMinor).toBe(500);
  });
  it('ranks the default products as their names promise', () => {
    const fare = (p: string) => quoteFare(DEFAULT_RATES[p]!, ORIGIN, { latitude: 0.1, longitude: 0 }, 2).fareMinor;
    expect(fare('UBERX')).toBeLessThan(fare('COMFORT'));
    expect(fare('COMFORT')).toBeLessThan(fare('UBERXL'));
    expect(fare('UBERXL')).toBeLessThan(fare('BLACK'));
    expect(fare('BLACK')).toBeLessThan(fare('BLACK_SUV'));
  });
});

describe('trip locations', () => {
  const fence = [{ latitude: 0, longitude: 0, radius: 500 }];
  const inside = { latitude: 0.004, longitude: 0 }; // 445 m
  const outside = { latitude: 0.005, longitude: 0 }; // 556 m
  it('applies each trip_restriction_type', () => {
    expect(checkGeofence(null, [], [], { pickup: outside, dropoff: outside })).toBe('INSIDE');
    expect(checkGeofence('PICKUP_ONLY', fence, [], { pickup: inside, dropoff: outside })).toBe('INSIDE');
    expect(checkGeofence('PICKUP_ONLY', fence, [], { pickup: outside, dropoff: inside })).toBe('PICKUP_OUTSIDE');
    expect(checkGeofence('DROPOFF_ONLY', [], fence, { pickup: outside, dropoff: inside })).toBe('INSIDE');
    expect(checkGeofence('DROPOFF_ONLY', [], fence, { pickup: inside, dropoff: outside })).toBe('DROPOFF_OUTSIDE');
    expect(checkGeofence('PICKUP_AND_DROPOFF', fence, fence, { pickup: inside, dropoff: inside })).toBe('INSIDE');
    expect(checkGeofence('PICKUP_AND_DROPOFF', fence, fence, { pickup: outside, dropoff: inside })).toBe('PICKUP_OUTSIDE');
    expect(checkGeofence('PICKUP_AND_DROPOFF', fence, fence, { pickup: inside, dropoff: outside })).toBe('DROPOFF_OUTSIDE');
    expect(checkGeofence('PICKUP_OR_DROPOFF', fence, fence, { pickup: outside, dropoff: inside })).toBe('INSIDE');
    expect(checkGeofence('PICKUP_OR_DROPOFF', fence, [], { pickup: outside, dropoff: inside })).toBe('OUTSIDE');
    expect(checkGeofence('PICKUP_OR_DROPOFF', fence, fence, { pickup: outside, dropoff: outside })).toBe('OUTSIDE');
  });
  it('the radius edge is inside; any of several circles will do', () => {
    const edge = { latitude: (500 / 6_371_008.8) * (180 / Math.PI), longitude: 0 };
    expect(checkGeofence('PICKUP_ONLY', fence, [], { pickup: edge, dropoff: edge })).toBe('INSIDE');
    const two = [...fence, { latitude: 1, longitude: 1, radius: 20 }];
    expect(checkGeofence('PICKUP_ONLY', two, [], { pickup: { latitude: 1, longitude: 1 }, dropoff: ORIGIN })).toBe('INSIDE');
  });
  it('reads stored locations, ignoring malformed ones', () => {
    expect(parseGeofences(JSON.stringify([{ latitude: 1, longitude: 2, radius: 30, address: 'x' }, { latitude: 'a' }]))).toEqual([{ latitude: 1, longitude: 2, radius: 30, address: 'x' }]);
    expect(parseGeofences(null)).toEqual([]);
    expect(parseGeofences('{')).toEqual([]);
  });
});
