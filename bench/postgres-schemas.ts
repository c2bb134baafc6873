/**
 * Schemas on the PostgreSQL server at `url`, made on demand, each as a `--db` URL
 * (with how many bytes its tables and their indexes take), and all dropped after.
 */
export async function withPostgresSchemas(
  pgUrl: string,
  use: (schemaDb: (name: string) => Promise<string>, sizeOf: (db: string) => Promise<number>) => Promise<void>,
): Promise<void> {
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const schemaOf = new Map<string, string>();
  try {
    await use(
      async (name) => {
        const schema = `custodian_bench_${name}_${Date.now()}`;
        await admin.query(`CREATE SCHEMA ${schema}`);
        const db = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
        schemaOf.set(db, schema);
        return db;
      },
      async (db) => {
        const {
          rows: [row],
        } = await admin.query(
          "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
          [schemaOf.get(db)],
        );
        return Number(row.bytes);
      },
    );
  } finally {
    for (const schema of schemaOf.values()) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}
