/** What the progress bar of a code generation shows (pure: tested in test/unit/console-progress.test.ts). */
export interface GenerationState {
  generation_id: string;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  requested: number;
  generated: number;
}

export interface Progress {
  /** 0–100, whole numbers; 100 only once the generation is COMPLETED. */
  percent: number;
  generated: number;
  requested: number;
  done: boolean;
  failed: boolean;
}

export function progressOf(state: GenerationState): Progress {
  const requested = Math.max(0, state.requested);
  const generated = Math.min(Math.max(0, state.generated), requested);
  const done = state.status !== 'IN_PROGRESS';
  const failed = state.status === 'FAILED';
  let percent = requested === 0 ? 0 : Math.floor((generated * 100) / requested);
  if (state.status === 'COMPLETED') percent = 100;
  // A job that generated everything but has not committed its last step yet is not "done".
  else if (percent >= 100) percent = 99;
  return { percent, generated: state.status === 'COMPLETED' ? requested : generated, requested, done, failed };
}

/** The state right after POST …/codes/generate: 200 = committed inline, 202 = a background job. */
export function stateFromGenerateAnswer(status: 200 | 202, body: { generation_id: string; number_of_codes: number }): GenerationState {
  return {
    generation_id: body.generation_id,
    status: status === 200 ? 'COMPLETED' : 'IN_PROGRESS',
    requested: body.number_of_codes,
    generated: status === 200 ? body.number_of_codes : 0,
  };
}

/** Poll delay: quick at first, then every 2 s at most (Retry-After wins when the server sends one). */
export function pollDelayMs(attempt: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) return Math.min(retryAfterSeconds, 30) * 1000;
  return Math.min(250 * 2 ** Math.max(0, attempt), 2000);
}
