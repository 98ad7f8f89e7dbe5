import type { AppContext } from '../../context.js';
import { SecretBox } from '../../lib/secret-box.js';
import { replaceSealedValue, SEALED_COLUMNS, sealedValuesPage } from './sealed.repository.js';

const PAGE = 500;

export interface ResealReport {
  /** Values sealed again under the current key (legacy plaintext or an older key). */
  resealed: number;
  /** Values already under the current key. */
  unchanged: number;
}

/**
 * Seals every stored secret under the current key (docs/secrets.md, Rotating the key): legacy
 * plaintext values and values sealed under a previous key. Idempotent and safe to re-run or to run
 * while servers work: each value is replaced only if it is still the value read. `legacyOnly` (every
 * start) seals plaintext left by a version that stored secrets as issued, and nothing else.
 */
export async function resealAll(
  ctx: AppContext,
  options: { progress?: (line: string) => void; legacyOnly?: boolean } = {},
): Promise<ResealReport> {
  const progress = options.progress ?? (() => undefined);
  const box = ctx.secrets();
  const db = ctx.database.db;
  const report: ResealReport = { resealed: 0, unchanged: 0 };
  for (const target of SEALED_COLUMNS) {
    let afterId = '';
    let resealed = 0;
    let seen = 0;
    for (;;) {
      const page = await sealedValuesPage(db, target, afterId, PAGE, options.legacyOnly ? SecretBox.SEALED_PREFIX : undefined);
      if (page.length === 0) break;
      for (const { id, value } of page) {
        seen += 1;
        if (!box.needsReseal(value) || (options.legacyOnly && SecretBox.isSealed(value))) {
          report.unchanged += 1;
          continue;
        }
        const next = box.seal(box.read(value, target.purpose), target.purpose);
        if (await replaceSealedValue(db, target, id, value, next)) resealed += 1;
      }
      afterId = page[page.length - 1]!.id;
    }
    report.resealed += resealed;
    progress(`${target.table}.${target.column}: ${resealed} of ${seen} sealed under key ${box.currentKeyId}`);
  }
  return report;
}
