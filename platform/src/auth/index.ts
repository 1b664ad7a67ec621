export { authenticate, type Authenticated, type Credentials } from './authenticate.ts';
export { login, type LoginResult } from './login.ts';
export { setPassword } from './credentials.ts';
export { endSession, endUserSessions } from './sessions.ts';
export { forgetCredentials } from './credential-cache.ts';
export { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.ts';
export { generatePassword, verifyPassword } from './passwords.ts';
export { getCredentials } from './credentials.ts';
