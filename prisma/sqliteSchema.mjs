// The one rule that derives schema.sqlite.prisma from schema.prisma, shared by generateClients.mjs and
// scripts/dbMigration.ts so the SQLite migrations are made from the same schema the SQLite client is.

/** @param {string} source schema.prisma's text @returns {string} the SQLite schema's text */
export function toSqliteSchema(source) {
  return (
    '// GENERATED from schema.prisma by generateClients.mjs: edit schema.prisma, not this file.\n' +
    source.replace('provider = "postgresql"', 'provider = "sqlite"').replace('generated/postgresql"', 'generated/sqlite"')
  );
}
