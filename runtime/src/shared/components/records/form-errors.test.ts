import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/api-error.ts';
import { formErrors } from './form-errors.ts';

const texts = { required: '必填', invalid: (reason: string) => `无效（${reason}）`, fallback: '出错了' };

describe('formErrors', () => {
  it('puts each invalid value on its field, with the server’s reason', () => {
    const error = new ApiError(400, 'INVALID_FIELD_VALUE', '部分字段的值无效：title, amount。', {
      fields: [{ field: 'title', message: 'required' }, { field: 'amount', message: 'a decimal number written with digits' }],
    });
    expect(formErrors(error, texts)).toEqual({
      fields: { title: '必填', amount: '无效（a decimal number written with digits）' },
      general: '部分字段的值无效：title, amount。',
    });
  });

  it('sums invalid values up by the fields’ labels when it can', () => {
    const error = new ApiError(400, 'INVALID_FIELD_VALUE', '部分字段的值无效：title。', { fields: [{ field: 'title', message: 'required' }] });
    expect(formErrors(error, { ...texts, summary: (names) => `请修改：${names.join('、')}` }).general).toBe('请修改：title');
  });

  it('marks fields named only by name, or by one `field`, with the whole message', () => {
    expect(formErrors(new ApiError(403, 'FIELD_NOT_WRITABLE', '不可修改：margin', { fields: ['margin'] }), texts).fields).toEqual({ margin: '不可修改：margin' });
    expect(formErrors(new ApiError(422, 'REFERENCE_NOT_FOUND', '指向不存在', { field: 'customer' }), texts).fields).toEqual({ customer: '指向不存在' });
  });

  it('keeps what names no field for the whole form, and has its own text for errors that are not the API’s', () => {
    expect(formErrors(new ApiError(409, 'UNIQUE_VALUE_TAKEN', '唯一值已被使用'), texts)).toEqual({ fields: {}, general: '唯一值已被使用' });
    expect(formErrors(new TypeError('x'), texts)).toEqual({ fields: {}, general: '出错了' });
  });
});
