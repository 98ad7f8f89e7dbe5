/**
 * G4 (bench/README.md): raw code generation rate — voucherd's generator (CSPRNG, rejection sampling,
 * check symbol) vs the npm package `voucher-code-generator` (Math.random) for the same count and
 * length (13 characters from the same 31-symbol alphabet), in the same run.
 * Usage: node --import tsx bench/codegen.ts [--count 1000000] [--reps 5]
 */
import { parseArgs } from 'node:util';
import voucherCodes from 'voucher-code-generator';
import { CODE_ALPHABET, generateCodes } from '../src/lib/codes.js';
import { CryptoRandomSource } from '../src/lib/random.js';
import { header, median, ms } from './lib.js';

const { values } = parseArgs({ options: { count: { type: 'string', default: '1000000' }, reps: { type: 'string', default: '5' } } });
const COUNT = Number(values.count);
const REPS = Number(values.reps);

header(`G4 raw generation: ${COUNT} codes of 13 characters, ${REPS} repetitions`);
const ours: number[] = [];
const theirs: number[] = [];
const source = new CryptoRandomSource();
for (let i = 0; i < REPS; i++) {
  let t = performance.now();
  const a = generateCodes(COUNT, source);
  ours.push(performance.now() - t);
  t = performance.now();
  // The package de-duplicates as it goes (as a code generator must); ours leaves that to the database.
  const b = voucherCodes.generate({ length: 13, count: COUNT, charset: CODE_ALPHABET });
  theirs.push(performance.now() - t);
  if (a.length !== COUNT || b.length !== COUNT) throw new Error('wrong count');
}
const o = median(ours);
const v = median(theirs);
console.log(`voucherd generateCodes (CSPRNG): ${ms(o)}  → ${(COUNT / (o / 1000) / 1e6).toFixed(2)} M codes/s`);
console.log(`voucher-code-generator (Math.random): ${ms(v)}  → ${(COUNT / (v / 1000) / 1e6).toFixed(2)} M codes/s`);
console.log(`voucherd is ${(v / o).toFixed(1)}× faster`);
console.log(`\n| G4 raw generation, ${COUNT.toLocaleString('en')} codes | — | ${ms(o)} | ${ms(v)} (voucher-code-generator) | ${(v / o).toFixed(1)}× faster |`);
