/** Removes properties whose value is `undefined` (absent optional fields are omitted on the wire). */
export function dropUndefined<T extends Record<string, unknown>>(object: T): T {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
