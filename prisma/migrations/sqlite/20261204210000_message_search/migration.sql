-- Message search, written by hand (Prisma cannot state an FTS5 table). "MessageSearch" is the full-text
-- index of each live message's terms, as domain/searchTerms.ts makes them; "scope" holds its thread as one
-- token, so the index itself keeps a search to the searcher's threads. Its rowid ("docId") follows the
-- message's time (db/searchIndexSql.ts), so the index alone ranks by recency; "MessageSearchDoc" maps each
-- message to it. secure-delete: a deleted or edited message's old terms leave the index's pages at once, not
-- at a later merge. Why this shape and not an external-content or contentless table:
-- docs/benchmarks.md#message-search.

-- The terms are space-separated tokens made in JavaScript; the ascii tokenizer splits on the spaces and
-- leaves every token as it is.
CREATE VIRTUAL TABLE "MessageSearch" USING fts5("words", "unigrams", "scope", tokenize='ascii');
INSERT INTO "MessageSearch" ("MessageSearch", "rank") VALUES ('secure-delete', 1);

-- CreateTable: the docIds are looked up here, never in the FTS5 table, whose rowid ranges are scanned whole.
CREATE TABLE "MessageSearchDoc" (
    "docId" INTEGER NOT NULL PRIMARY KEY,
    "messageId" TEXT NOT NULL,
    CONSTRAINT "MessageSearchDoc_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "MessageSearchDoc_messageId_key" ON "MessageSearchDoc"("messageId");

-- A message's index row goes with its map row, however that goes (a delete, or its message's cascade).
CREATE TRIGGER "MessageSearchDoc_delete" AFTER DELETE ON "MessageSearchDoc" BEGIN
    DELETE FROM "MessageSearch" WHERE "rowid" = old."docId";
END;

-- CreateTable
CREATE TABLE "MessageSearchBacklog" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    CONSTRAINT "MessageSearchBacklog_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- SQL cannot make the terms: the server indexes these after it starts (db/searchBackfill.ts).
INSERT INTO "MessageSearchBacklog" ("messageId") SELECT "id" FROM "Message" WHERE "deletedAt" IS NULL AND "body" <> '';
