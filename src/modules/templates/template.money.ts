import type { MoneyCodec } from '../programs/program.fields.js';

/** Templates have no currency of their own, so their money is kept as the decimal given. */
export const templateMoney: MoneyCodec = {
  read: (column) => Number(column),
  write: (value) => String(value),
};
