-- DropIndex
DROP INDEX "Thread_lastMessageAt_idx";
