import { describe, expect, it } from 'vitest';
import { ApiError, isApiError, toApiError } from './api-error.ts';

describe('toApiError', () => {
  it('keeps the code, message and details of an error body', () => {
    const body = JSON.stringify({ error: { code: 'IMPORT_FAILED', message: '未导入任何数据', details: { rows: [{ row: 2 }] } } });
    const error = toApiError(422, body);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: 'IMPORT_FAILED', message: '未导入任何数据', details: { rows: [{ row: 2 }] } });
  });

  it('defaults missing details to an empty object', () => {
    expect(toApiError(401, '{"error":{"code":"UNAUTHENTICATED","message":"Log in"}}').details).toEqual({});
  });

  it('falls back to a code from the status and no message when the body is not ours', () => {
    expect(toApiError(502, '<html>Bad gateway</html>')).toMatchObject({ status: 502, code: 'INTERNAL', message: '' });
    expect(toApiError(404, '')).toMatchObject({ code: 'NOT_FOUND', message: '' });
    expect(toApiError(429, '{"error":"slow down"}')).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: '' });
  });
});

describe('isApiError', () => {
  it('narrows by code when one is given', () => {
    const error = new ApiError(409, 'DEPARTMENT_CYCLE', 'no');
    expect(isApiError(error)).toBe(true);
    expect(isApiError(error, 'DEPARTMENT_CYCLE')).toBe(true);
    expect(isApiError(error, 'DEPARTMENT_NOT_EMPTY')).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});
