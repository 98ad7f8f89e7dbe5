import { Type, type Static } from '@sinclair/typebox';

export const ExportLinkWire = Type.Object({
  url: Type.String({ description: 'GET it once, without Authorization, before expires_at: the codes CSV as an attachment' }),
  expires_at: Type.Integer({ description: 'epoch milliseconds' }),
});

export const CodeExportParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 128 }),
});
export type CodeExportParams = Static<typeof CodeExportParams>;
