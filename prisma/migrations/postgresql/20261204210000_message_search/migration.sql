-- Message search, written by hand (Prisma cannot state a GIN index in a schema the SQLite one is derived
-- from). "terms" is to_tsvector('simple', …) of the terms domain/searchTerms.ts makes: words with weight A
-- (phrases match only those), the characters of CJK runs with weight D.

-- CreateTable
CREATE TABLE "MessageSearch" (
    "messageId" TEXT NOT NULL,
    "threadId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "terms" tsvector NOT NULL,

    CONSTRAINT "MessageSearch_pkey" PRIMARY KEY ("messageId")
);

-- CreateIndex
CREATE INDEX "MessageSearch_terms_idx" ON "MessageSearch" USING GIN ("terms");

-- AddForeignKey
ALTER TABLE "MessageSearch" ADD CONSTRAINT "MessageSearch_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateTable
CREATE TABLE "MessageSearchBacklog" (
    "messageId" TEXT NOT NULL,

    CONSTRAINT "MessageSearchBacklog_pkey" PRIMARY KEY ("messageId")
);

-- AddForeignKey
ALTER TABLE "MessageSearchBacklog" ADD CONSTRAINT "MessageSearchBacklog_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- SQL cannot make the terms: the server indexes these after it starts (db/searchBackfill.ts).
INSERT INTO "MessageSearchBacklog" ("messageId") SELECT "id" FROM "Message" WHERE "deletedAt" IS NULL AND "body" <> '';
