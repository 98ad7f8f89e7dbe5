import { distanceMeters, type Point } from '../../lib/geo.js';

/** A program location (Uber's shape): a circle of `radius` meters around a point. */
export interface Geofence extends Point {
  radius: number;
}

export interface TripRoute {
  pickup: Point;
  dropoff: Point;
}

export type GeofenceVerdict = 'INSIDE' | 'PICKUP_OUTSIDE' | 'DROPOFF_OUTSIDE' | 'OUTSIDE';

const within = (point: Point, fences: Geofence[]) => fences.some((f) => distanceMeters(point, f) <= f.radius);

/**
 * The program's `trip_restriction_type` applied to a trip's route (see docs/redemption.md): the
 * pickup, the drop-off, both or either must lie within one of the program's circles. A program
 * without a restriction accepts every route.
 */
export function checkGeofence(restriction: string | null, pickupFences: Geofence[], dropoffFences: Geofence[], route: TripRoute): GeofenceVerdict {
  if (!restriction) return 'INSIDE';
  const pickupIn = within(route.pickup, pickupFences);
  const dropoffIn = within(route.dropoff, dropoffFences);
  switch (restriction) {
    case 'PICKUP_ONLY':
      return pickupIn ? 'INSIDE' : 'PICKUP_OUTSIDE';
    case 'DROPOFF_ONLY':
      return dropoffIn ? 'INSIDE' : 'DROPOFF_OUTSIDE';
    case 'PICKUP_AND_DROPOFF':
      return pickupIn && dropoffIn ? 'INSIDE' : !pickupIn ? 'PICKUP_OUTSIDE' : 'DROPOFF_OUTSIDE';
    default:
      // PICKUP_OR_DROPOFF
      return pickupIn || dropoffIn ? 'INSIDE' : 'OUTSIDE';
  }
}

/** Stored locations (JSON text of the program row) as circles; anything malformed is dropped. */
export function parseGeofences(json: string | null): Geofence[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (l): l is Geofence => typeof l === 'object' && l !== null && typeof l.latitude === 'number' && typeof l.longitude === 'number' && typeof l.radius === 'number',
    );
  } catch {
    return [];
  }
}
