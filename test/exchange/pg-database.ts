/**
 * @module test/exchange/pg-database
 * A fresh database on the test PostgreSQL server for a node process of a multi-process test,
 * dropped (with its connections) by `drop()`.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { postgresProbe } from '../db/dialects.js';

type PgClient = { connect(): Promise<void>; query(text: string): Promise<unknown>; end(): Promise<void> };
const pg = createRequire(import.meta.url)('pg') as { Client: new (config: { connectionString: string }) => PgClient };

async function runOnServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresProbe.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates `<prefix>_<random>`; only call when `postgresProbe.reachable`. */
export async function freshPostgresDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await runOnServer(`create database ${name}`);
  const url = new URL(postgresProbe.url);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => runOnServer(`drop database if exists ${name} with (force)`) };
}
