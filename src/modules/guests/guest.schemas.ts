import { Type, type Static } from '@sinclair/typebox';

export const MAX_GUESTS_PER_REQUEST = 1000;
export const MAX_CODES_PER_CALL = 10_000;

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

const CodeIds = Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: MAX_CODES_PER_CALL });

/** Distribute codes (docs/programs.md): all undistributed guests' codes, or only the listed ones. */
export const DistributeBody = Type.Object({ codes: Type.Optional(CodeIds) }, { additionalProperties: false });
export type DistributeBody = Static<typeof DistributeBody>;

/** Cancel Voucher Codes (docs/programs.md): up to 10,000 code ids per call. */
export const CancelCodesBody = Type.Object({ codes: CodeIds }, { additionalProperties: false });
export type CancelCodesBody = Static<typeof CancelCodesBody>;

/** A guest as Get Voucher Program Guest Info shows it (guest.view.ts). */
export const GuestWire = Type.Object(
  {
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String({ description: 'E.164' })),
    code: Type.Optional(
      Type.Object({
        code_id: Type.String(),
        code_text: Type.String(),
        redemption_link: Type.String(),
        status: Type.Optional(Type.Union([Type.Literal('AVAILABLE'), Type.Literal('REDEEMED'), Type.Literal('CANCELED')])),
        usage_count: Type.Optional(Type.Integer()),
      }),
    ),
    created_at: Type.Integer({ description: 'epoch milliseconds' }),
    distributed_at: Type.Optional(Type.Integer({ description: 'epoch milliseconds; absent until the code was sent' })),
  },
  { $id: 'Guest' },
);

export const GuestPage = Type.Object({
  guests: Type.Array(GuestWire),
  next_token: Type.Optional(Type.String({ description: "Uber's name of next_page_token" })),
  next_page_token: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

export const AddedGuests = Type.Object({
  guests: Type.Array(Type.Object({ email: Type.Optional(Type.String()), phone: Type.Optional(Type.String()) })),
});
