import { Type, type Static } from '@sinclair/typebox';
import { CodeIds } from '../codes/codes.schemas.js';
import { GuestWire } from '../programs/program.schemas.js';

// A program's GET answer carries its guests, so the guest wire shape is defined with the program's.
export { GuestWire };

export const MAX_GUESTS_PER_REQUEST = 1000;

/** Add Guests to Voucher Program (Uber's shape, docs/programs.md). */
export const AddGuestsBody = Type.Object(
  {
    guests: Type.Array(
      Type.Object(
        {
          email: Type.Optional(Type.String({ maxLength: 254 })),
          phone: Type.Optional(Type.String({ maxLength: 32 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_GUESTS_PER_REQUEST },
    ),
    send_notifications: Type.Optional(Type.Boolean({ description: 'Defaults to true.' })),
  },
  { additionalProperties: false },
);
export type AddGuestsBody = Static<typeof AddGuestsBody>;

export const ListGuestsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    page_token: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type ListGuestsQuery = Static<typeof ListGuestsQuery>;


/** Distribute codes (docs/programs.md): all undistributed guests' codes, or only the listed ones. */
export const DistributeBody = Type.Object({ codes: Type.Optional(CodeIds) }, { additionalProperties: false });
export type DistributeBody = Static<typeof DistributeBody>;


/** A guest as Get Voucher Program Guest Info shows it (guest.view.ts). */

export const GuestPage = Type.Object({
  guests: Type.Array(GuestWire),
  next_token: Type.Optional(Type.String({ description: "Uber's name of next_page_token" })),
  next_page_token: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

export const AddedGuests = Type.Object({
  guests: Type.Array(Type.Object({ email: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) })),
});
