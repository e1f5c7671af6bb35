import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64OfDataUrl, formatBytes, MAX_ATTACHMENT_BYTES, mediaTypeOf, safeFileName } from './files';

describe('response files', () => {
  it('take the base64 content of a data URL', () => {
    assert.equal(base64OfDataUrl('data:text/plain;base64,SGVsbG8='), 'SGVsbG8=');
    assert.equal(base64OfDataUrl('data:;base64,'), '');
    assert.equal(base64OfDataUrl('data:application/pdf;name=a.pdf;base64,JVBERi0='), 'JVBERi0=');
    assert.throws(() => base64OfDataUrl('data:text/plain,Hello'));
    assert.throws(() => base64OfDataUrl('SGVsbG8='));
  });

  it('declare a media type the server accepts', () => {
    assert.equal(mediaTypeOf('application/pdf'), 'application/pdf');
    assert.equal(mediaTypeOf('Text/Plain'), 'text/plain');
    assert.equal(mediaTypeOf(''), 'application/octet-stream');
    assert.equal(mediaTypeOf('text/plain; charset=utf-8'), 'application/octet-stream');
  });

  it('have names without paths or control characters', () => {
    assert.equal(safeFileName('report.pdf'), 'report.pdf');
    assert.equal(safeFileName('a/b\\c\u0000.txt'), 'a_b_c_.txt');
    assert.equal(safeFileName(' .. '), 'attachment');
    assert.equal(safeFileName('x'.repeat(300)).length, 255);
  });

  it('say their size in the reader’s language, with the server’s limit', () => {
    assert.equal(MAX_ATTACHMENT_BYTES, 5 * 1024 * 1024);
    assert.equal(formatBytes(12, 'en'), '12 byte');
    assert.equal(formatBytes(1536, 'en'), '1.5 kB');
    assert.equal(formatBytes(MAX_ATTACHMENT_BYTES, 'en'), '5 MB');
    assert.match(formatBytes(1536, 'fr'), /^1,5\s?ko$/);
  });

  it('the limit is the server’s', async () => {
    const server = (await import(new URL('../../cases/attachments.ts', import.meta.url).href)) as { ATTACHMENT_MAX_BYTES: number };
    assert.equal(MAX_ATTACHMENT_BYTES, server.ATTACHMENT_MAX_BYTES);
  });
});
