export function toSqliteSchema(source: string): string;
