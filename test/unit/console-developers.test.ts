import { describe, expect, it } from 'vitest';
import { apiFieldError, lastProblem } from '../../console/src/lib/developers.js';

describe('console Developers helpers (docs/console.md, Developers)', () => {
  it('lastProblem: the error text first, else a non-2xx status, else nothing', () => {
    expect(lastProblem({ status: 'FAILED', last_status_code: 500, last_error: 'connection refused' })).toEqual({ error: 'connection refused' });
    expect(lastProblem({ status: 'PENDING', last_status_code: 503, last_error: null })).toEqual({ status: 503 });
    expect(lastProblem({ status: 'FAILED', last_status_code: 199, last_error: null })).toEqual({ status: 199 });
    expect(lastProblem({ status: 'FAILED', last_status_code: 300, last_error: null })).toEqual({ status: 300 });
    expect(lastProblem({ status: 'SUCCEEDED', last_status_code: 200, last_error: null })).toBeNull();
    expect(lastProblem({ status: 'SUCCEEDED', last_status_code: 299, last_error: null })).toBeNull();
    expect(lastProblem({ status: 'PENDING', last_status_code: null, last_error: null })).toBeNull();
  });

  it('apiFieldError: the message and metadata.field of an API error body; null for anything else', () => {
    expect(apiFieldError({ code: 'invalid_request', message: 'The webhook URL is not allowed.', metadata: { field: 'url' } })).toEqual({
      field: 'url',
      message: 'The webhook URL is not allowed.',
    });
    expect(apiFieldError({ message: 'Forbidden.' })).toEqual({ field: null, message: 'Forbidden.' });
    expect(apiFieldError({ message: 'x', metadata: { field: 3 } })).toEqual({ field: null, message: 'x' });
    expect(apiFieldError(null)).toBeNull();
    expect(apiFieldError('oops')).toBeNull();
    expect(apiFieldError({ metadata: { field: 'url' } })).toBeNull();
  });
});
