import webpush from 'web-push';
import type { Db } from '../db/db.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

const SETTING = 'vapidKeys';

/**
 * The server's VAPID key pair: made at first start and kept in the database, so every process (and
 * every restart) signs pushes with the key browsers subscribed with. Two processes starting at once
 * both try to insert; the one that loses reads the winner's.
 */
export async function loadVapidKeys(db: Db): Promise<VapidKeys> {
  const stored = await db.serverSetting.findUnique({ where: { name: SETTING } });
  if (stored) return JSON.parse(stored.value) as VapidKeys;
  const made = webpush.generateVAPIDKeys();
  // A unique-key failure here is the other process's pair landing first.
  await db.serverSetting.create({ data: { name: SETTING, value: JSON.stringify(made) } }).catch(() => {});
  const kept = await db.serverSetting.findUniqueOrThrow({ where: { name: SETTING } });
  return JSON.parse(kept.value) as VapidKeys;
}
