import { z } from 'zod';
import { Id, Locale, Timestamp, text } from './common.ts';

export const Login = text(64, 2).regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'letters, digits and . _ @ - only');
export const Password = text(256, 8);

export const UserStatus = z.enum(['active', 'disabled', 'departed']).meta({ id: 'UserStatus' });
export type UserStatus = z.infer<typeof UserStatus>;

export const User = z
  .object({
    id: Id,
    login: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    locale: Locale,
    status: UserStatus,
    isAdmin: z.boolean(),
    jobTitle: z.string().nullable(),
    mainDepartmentId: Id.nullable(),
    departmentIds: z.array(Id),
    managerId: Id.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const LoginRequest = z.object({ login: text(256, 1), password: text(256, 1) }).meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z
  .object({
    user: User,
    token: z.string().meta({ description: 'Session token, usable as `Authorization: Bearer`; the SPA uses the cookie instead.' }),
    csrfToken: z.string().meta({ description: 'Send as `X-CSRF-Token` on cookie-authenticated writes.' }),
  })
  .meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const LogoutRequest = z
  .object({ everywhere: z.boolean().default(false).meta({ description: 'End every session of this user, on every device.' }) })
  .meta({ id: 'LogoutRequest' });

export const Session = z.object({ user: User, csrfToken: z.string().nullable() }).meta({ id: 'Session' });
export type Session = z.infer<typeof Session>;

export const UpdateMe = z
  .object({
    displayName: text(100, 1).optional(),
    email: z.email().max(254).nullable().optional(),
    phone: text(32).regex(/^\+?[0-9 ()-]{3,32}$/).nullable().optional(),
    avatarUrl: z.url().max(2048).nullable().optional(),
    locale: Locale.optional(),
  })
  .strict()
  .meta({ id: 'UpdateMe' });
export type UpdateMe = z.infer<typeof UpdateMe>;

export const ChangePassword = z.object({ currentPassword: text(256, 1), newPassword: Password }).strict().meta({ id: 'ChangePassword' });

export const ApiToken = z
  .object({
    id: Id,
    name: z.string(),
    hint: z.string().meta({ description: 'The last characters of the token, to recognise it.' }),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    expiresAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiToken' });
export type ApiToken = z.infer<typeof ApiToken>;

export const CreateApiToken = z
  .object({ name: text(100, 1), expiresInDays: z.number().int().min(1).max(3650).nullable().default(null) })
  .strict()
  .meta({ id: 'CreateApiToken' });
export type CreateApiToken = z.infer<typeof CreateApiToken>;

export const CreatedApiToken = z
  .object({ token: ApiToken, secret: z.string().meta({ description: 'Shown once; only its hash is stored.' }) })
  .meta({ id: 'CreatedApiToken' });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const ApiTokenList = z.object({ items: z.array(ApiToken) }).meta({ id: 'ApiTokenList' });
