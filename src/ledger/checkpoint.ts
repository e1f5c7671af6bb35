/**
 * @module ledger/checkpoint
 * c2sp.org/tlog-checkpoint: the note body `<origin>\n<tree size>\n<base64 root hash>\n` followed
 * by optional non-empty extension lines, signed as a note by the log (and cosigned by witnesses).
 */
import { LedgerError } from './errors.js';
import { HASH_SIZE } from './merkle.js';
import { openNote, parseNote, signNote, type NoteSigner, type NoteVerifier } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

/** The checkpoint body (the note text). */
export function checkpointBody(checkpoint: Pick<Checkpoint, 'origin' | 'size' | 'root'> & { extensions?: readonly string[] }): string {
  if (!validOrigin(checkpoint.origin)) throw new LedgerError('malformed-checkpoint', 'invalid origin');
  if (checkpoint.root.length !== HASH_SIZE) throw new LedgerError('malformed-checkpoint', 'a root hash has 32 bytes');
  const extensions = checkpoint.extensions ?? [];
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n${extensions.map((e) => `${e}\n`).join('')}`;
}

/** An origin: a non-empty line of printable text (a schema-less URL by convention). */
export function validOrigin(origin: string): boolean {
  return origin.length > 0 && origin.length <= 255 && !/[\s\u2014]/u.test(origin) && /^[\x21-\x7e]+$/.test(origin);
}

/** Parses a checkpoint body (no signatures). */
export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split('\n');
  // The text ends with a newline: the last element is empty.
  if (lines.length < 4 || lines.pop() !== '') throw new LedgerError('malformed-checkpoint', 'a checkpoint has an origin, a size and a root hash');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!validOrigin(origin)) throw new LedgerError('malformed-checkpoint', 'invalid origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new LedgerError('malformed-checkpoint', 'invalid tree size');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(rootText)) throw new LedgerError('malformed-checkpoint', 'invalid root hash');
  if (extensions.some((line) => line === '')) throw new LedgerError('malformed-checkpoint', 'extension lines are not empty');
  return { origin, size: Number(sizeText), root: Buffer.from(rootText, 'base64'), extensions };
}

/** Signs a checkpoint: a signed note. */
export function signCheckpoint(checkpoint: Pick<Checkpoint, 'origin' | 'size' | 'root'>, signer: NoteSigner): string {
  return signNote(checkpointBody(checkpoint), [signer]);
}

export interface VerifiedCheckpoint extends Checkpoint {
  /** The signed note as given. */
  note: string;
  verifiedBy: string[];
}

/**
 * Opens a signed checkpoint: it must name `origin` and carry a verifying signature of the log
 * key (`logVerifier`); other known keys (witnesses) are checked too, unknown ones ignored.
 */
export function openCheckpoint(note: string, origin: string, logVerifier: NoteVerifier, witnesses: readonly NoteVerifier[] = []): VerifiedCheckpoint {
  const opened = openNote(note, [logVerifier, ...witnesses]);
  const checkpoint = parseCheckpointBody(opened.text);
  if (checkpoint.origin !== origin) throw new LedgerError('wrong-origin', `the checkpoint is of ${checkpoint.origin}, not ${origin}`);
  if (!opened.verifiedBy.includes(logVerifier.name)) throw new LedgerError('unverified-note', 'the checkpoint is not signed by the log');
  return { ...checkpoint, note, verifiedBy: opened.verifiedBy };
}

/** The body of a signed checkpoint, unverified (for display and storage checks). */
export function checkpointOfNote(note: string): Checkpoint {
  return parseCheckpointBody(parseNote(note).text);
}
