/**
 * @module evidence/zip-format
 * The constants of the ZIP form Comity writes (APPNOTE 6.3: stored entries, UTF-8 names, data
 * descriptors, ZIP64 where needed — the bytes yazl 3 wrote), shared by the writer and the strict
 * reader, which accepts exactly that form.
 */
export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
/** 3 = UNIX, 63 = APPNOTE 6.3. */
export const VERSION_MADE_BY = (3 << 8) | 63;
export const VERSION_NEEDED = 20;
export const VERSION_NEEDED_ZIP64 = 45;
export const FLAG_UTF8 = 1 << 11;
export const FLAG_DESCRIPTOR = 1 << 3;
/** A regular file, rw-r--r--, in the external attributes' high half. */
export const REGULAR_FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;
export const MAX32 = 0xffffffff;
