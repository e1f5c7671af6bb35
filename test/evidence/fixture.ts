/**
 * @module test/evidence/fixture
 * A case ready to take evidence (French request to the United States, accepted), driven through
 * the API, and helpers to upload through the tus-style routes.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { CaseSummary } from '../../src/cases/index.js';
import { DEMO_REVIEW, preservationRequestFrToUs } from '../../src/demo/data.js';
import type { EvidenceItemView } from '../../src/evidence/index.js';
import type { Client, TestApp } from '../http/harness.js';

export const GROUNDS = [
  { ground: 'political-offence', applies: false },
  { ground: 'essential-interests', applies: false },
];

export async function acceptedCase(t: TestApp, reference: string): Promise<string> {
  const fr = await t.as('officer@fr.demo');
  const us = await t.as('officer@us.demo');
  const judge = await t.as('judge@fr.demo');
  const res = await fr.post('/api/cases', preservationRequestFrToUs({ references: { requesting: reference } }));
  assert.equal(res.statusCode, 201, res.body);
  const id = res.json<CaseSummary>().id;
  const step = async (c: Client, event: string, body: unknown = {}) => {
    const r = await c.post(`/api/cases/${id}/events/${event}`, body);
    assert.equal(r.statusCode, 200, `${event}: ${r.body}`);
  };
  await step(judge, 'approve', { review: DEMO_REVIEW });
  await step(fr, 'send');
  await step(us, 'receive');
  await step(us, 'acknowledge');
  await step(us, 'start-assessment');
  await step(us, 'accept', { assessment: { grounds: GROUNDS, decision: 'accept' } });
  return id;
}

export function metadata(name: string, length: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, length, dataCategory: 'content', producer: 'Example Mail Inc.', description: 'Mailbox export', producedAt: '2026-11-20T09:00:00Z', ...extra };
}

export async function patch(c: Client, caseId: string, uploadId: string, offset: number, bytes: Buffer): Promise<LightMyRequestResponse> {
  return c.request('PATCH', `/api/cases/${caseId}/evidence/uploads/${uploadId}`, { body: bytes, contentType: 'application/offset+octet-stream', headers: { 'upload-offset': String(offset) } });
}

/** Uploads `bytes` in one PATCH; returns the item. */
export async function upload(c: Client, caseId: string, name: string, bytes: Buffer, extra: Record<string, unknown> = {}): Promise<EvidenceItemView> {
  const begin = await c.post(`/api/cases/${caseId}/evidence/uploads`, metadata(name, bytes.length, extra));
  assert.equal(begin.statusCode, 201, begin.body);
  const res = await patch(c, caseId, begin.json<{ id: string }>().id, 0, bytes);
  assert.equal(res.statusCode, 201, res.body);
  const item = res.json<{ item: EvidenceItemView }>().item;
  return item;
}
