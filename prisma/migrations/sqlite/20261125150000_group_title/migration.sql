-- AlterTable
ALTER TABLE "Thread" ADD COLUMN "title" TEXT;

