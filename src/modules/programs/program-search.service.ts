import type { AppContext } from '../../context.js';
import { optionalInteger } from '../../http/schema-types.js';
import { fromMinorUnits } from '../../lib/money.js';
import { searchPrograms, type SearchStatus } from './program.repository.js';
import type { SearchProgramsBody } from './program.schemas.js';
import { programStatus } from './program.status.js';
import { totalExposureMinor } from './program.view.js';

export const SEARCH_MAX_LIMIT = 100;
const SEARCH_DEFAULT_LIMIT = 50;

/**
 * Search Voucher Programs (docs/programs.md): the listed fields only, newest first, status computed;
 * voucherd adds `name_contains` and each program's code, claim and trip counts and amount spent (the
 * console's list).
 */
export async function searchVoucherPrograms(ctx: AppContext, organizationId: string, body: SearchProgramsBody) {
  const limit = optionalInteger(body.limit, 'limit', 1, SEARCH_MAX_LIMIT) ?? SEARCH_DEFAULT_LIMIT;
  const offset = optionalInteger(body.offset, 'offset', 0, 1_000_000) ?? 0;
  const nameContains = body.name_contains?.trim();
  const now = ctx.clock.now();
  const rows = await searchPrograms(ctx.database.db, {
    organizationId,
    ...(body.program_status ? { status: body.program_status as SearchStatus } : {}),
    ...(nameContains ? { nameContains } : {}),
    now,
    limit,
    offset,
  });
  return {
    voucher_programs: rows.map((program) => {
      const exposure = totalExposureMinor(program);
      return {
        voucher_program_id: program.id,
        name: program.name,
        status: programStatus(program, now),
        ...(exposure === null ? {} : { total_dollar_exposure: fromMinorUnits(exposure, program.currency_code) }),
        currency_code: program.currency_code,
        starts_at: Number(program.starts_at),
        ends_at: Number(program.ends_at),
        created_at: Number(program.created_at),
        voucher_type: program.voucher_type,
        code_scheme: program.code_scheme,
        ...(program.creator_email ? { creator_email: program.creator_email } : {}),
        total_number_of_codes: Number(program.total_number_of_codes),
        usage_voucher_claim_count: Number(program.usage_voucher_claim_count),
        usage_trip_count: Number(program.usage_trip_count),
        usage_amount: fromMinorUnits(Number(program.usage_amount), program.currency_code),
      };
    }),
  };
}
