/** Cookie reading for the CSRF double submit. Pure: takes `document.cookie` as a string. */

/** The CSRF cookie the server sets at sign-in (readable by script, unlike the session cookie). */
export const CSRF_COOKIE = 'comity_csrf';

export function readCookie(cookieHeader: string, name: string): string | null {
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}
