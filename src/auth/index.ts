/**
 * @module auth
 * Accounts and authentication: users and roles, password hashing (scrypt), TOTP second factor
 * (RFC 6238), sessions with CSRF tokens, API tokens, encryption at rest of secrets
 * (AES-256-GCM), and optional OpenID Connect sign-in. No HTTP: the API layer calls these.
 */
export * from './roles.js';
export * from './errors.js';
export * from './context.js';
export { createSecretBox, loadMasterKey, parseMasterKey, SecretBoxError, MASTER_KEY_BYTES, SECRET_KEY_FILE } from './secrets.js';
export type { SecretBox, LoadMasterKeyOptions } from './secrets.js';
export { hashPassword, verifyPassword, needsRehash, checkPasswordPolicy, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH } from './passwords.js';
export type { PasswordIssue, PasswordIssueCode } from './passwords.js';
export { base32Decode, base32Encode, generateTotpSecret, hotp, otpauthUri, totpCode, totpStep, verifyTotp, TOTP_DIGITS, TOTP_STEP_SECONDS } from './totp.js';
export type { TotpSecret } from './totp.js';
export { hashToken, newApiToken, newSessionToken, parseApiToken, API_TOKEN_PREFIX } from './tokens.js';
export {
  actorFor,
  authenticateApiToken,
  authenticateSession,
  checkCsrf,
  confirmTotp,
  createApiToken,
  createApiTokenSchema,
  createUser,
  createUserSchema,
  disableUser,
  emailHash,
  enrolTotp,
  getUser,
  listApiTokens,
  login,
  loginWithOidc,
  logout,
  normalizeEmail,
  presentUser,
  purgeExpiredSessions,
  revokeApiToken,
  verifySecondFactor,
  API_TOKEN_MAX_DAYS,
  LAST_SEEN_RESOLUTION_MS,
  LOCKOUT_MS,
  MAX_FAILED_LOGINS,
  SESSION_TTL_MS,
} from './accounts.js';
export type { ApiTokenInfo, AuthSession, AuthUser, CreateApiTokenInput, CreateUserInput, LoginOutcome, LoginResult } from './accounts.js';
export { claimsForSignIn, createOidcClient, oidcConfigFromEnv, OidcConfigError, OIDC_ENV_VARS, OIDC_SCOPE } from './oidc.js';
export type { CreateOidcClientOptions, OidcClaims, OidcClient, OidcConfig, OidcExpected } from './oidc.js';
