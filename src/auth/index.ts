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
export { actorFor, emailHash, normalizeEmail, presentUser, API_TOKEN_MAX_DAYS, LAST_SEEN_RESOLUTION_MS, SESSION_TTL_MS } from './account-rows.js';
export type { ApiTokenInfo, AuthSession, AuthUser, LoginOutcome, LoginResult } from './account-rows.js';
export { createUser, createUserSchema, disableUser, getUser } from './users.js';
export type { CreateUserInput } from './users.js';
export { enableUser, listAdministeredTokens, resetSecondFactor, setPasswordSchema, setUserPassword, updateUser, updateUserSchema } from './admin.js';
export type { AdministeredToken } from './admin.js';
export { authenticateSession, checkCsrf, login, loginWithOidc, logout, purgeExpiredSessions } from './sessions.js';
export type { SignInOptions } from './sessions.js';
export { confirmTotp, enrolTotp, verifySecondFactor } from './second-factor.js';
export type { SecondFactorResult } from './second-factor.js';
export { ACCOUNT_MAX_DELAY_MS, ALERT_EVERY, delayAfter, DEVICE_MAX_DELAY_MS, FREE_FAILURES, MAX_MFA_FAILURES_PER_SESSION } from './sign-in-throttle.js';
export { authenticateApiToken, createApiToken, createApiTokenSchema, listApiTokens, revokeApiToken } from './api-tokens.js';
export type { CreateApiTokenInput } from './api-tokens.js';
export { claimsForSignIn, createOidcClient, oidcConfigFromEnv, OidcConfigError, OIDC_ENV_VARS, OIDC_SCOPE } from './oidc.js';
export type { CreateOidcClientOptions, OidcClaims, OidcClient, OidcConfig, OidcExpected } from './oidc.js';
