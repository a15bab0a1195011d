import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_RATE_LIMITS } from '@parley/api/limits/rateLimits';

const booleanish = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, 'must be a file: URL (embedded SQLite) or a postgres:// URL')
      .default('file:./data/parley.db'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    REDIS_PREFIX: z.string().min(1).default('parley:'),
    ALLOWED_ORIGINS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined || value.trim() === '') return undefined;
        const origins = value
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean);
        for (const origin of origins) {
          if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
            ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin like https://chat.example.com` });
          }
        }
        return origins;
      }),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_PRETTY: z
      .enum(['auto', 'true', 'false', '1', '0'])
      .default('auto')
      .transform((v): boolean | 'auto' => (v === 'auto' ? 'auto' : v === 'true' || v === '1')),
    TRUST_PROXY: booleanish.default(false),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
    COOKIE_SECURE: z
      .enum(['auto', 'true', 'false'])
      .default('auto')
      .transform((v): boolean | 'auto' => (v === 'auto' ? 'auto' : v === 'true')),
    STATIC_DIR: z.string().optional(),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    SESSION_SWEEP_MS: z.coerce.number().int().min(100).default(60_000),
    SEND_RATE_PER_SECOND: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.sendPerSecond),
    SEND_BURST: z.coerce.number().int().min(0).default(DEFAULT_RATE_LIMITS.sendBurst),
    LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.loginFailuresPerUsernameAndAddress),
    LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.loginFailuresPerAddress),
    LOGIN_FAILURES_BEFORE_USERNAME_SLOWDOWN: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.loginFailuresBeforeUsernameSlowdown),
    LOGIN_SLOWED_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.loginSlowedIntervalSeconds),
    LOGIN_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.loginsPerAddressPerMinute),
    SIGNUP_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.signUpsPerAddressPerHour),
    USERNAME_LOOKUPS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.usernameLookupsPerMinute),
    SEARCHES_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.searchesPerMinute),
    PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    PASSWORD_HASH_QUEUE_LENGTH: z.coerce.number().int().min(0).default(32),
    MAX_SESSIONS_PER_USER: z.coerce.number().int().min(1).default(50),
    SESSION_MAX_AGE_DAYS: z.coerce.number().min(0.001).default(30),
    MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).default(20),
    MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).default(100),
    MAX_SOCKET_BUFFER_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    WS_MAX_PAYLOAD_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    // The open-internet surface (SECURITY.md): batch sizes, sockets per address, slow clients, /metrics.
    MAX_BATCH_SIZE: z.coerce.number().int().min(1).default(10),
    // Larger than MAX_BATCH_SIZE: the tRPC client sends every call made in one tick as one frame.
    WS_MAX_BATCH_SIZE: z.coerce.number().int().min(1).default(500),
    MAX_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
    WS_AUTH_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters (it guards /metrics)').optional(),
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
    PRESENCE_TIMEOUT_MS: z.coerce.number().int().min(300).default(15_000),
    PRESENCE_OFFLINE_GRACE_MS: z.coerce.number().int().min(0).default(3000),
    // Files (docs in README "Files"): on disk beside the embedded database unless S3_URL names a bucket's store.
    UPLOAD_DIR: z.string().min(1).optional(),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(25 * 1024 * 1024),
    UPLOAD_BYTES_PER_DAY: z.coerce.number().int().min(1024).default(DEFAULT_RATE_LIMITS.uploadBytesPerDay),
    UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.uploadsPerMinute),
    UPLOAD_MAX_PIXELS: z.coerce.number().int().min(1).default(50_000_000),
    IMAGE_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
    IMAGE_QUEUE_LENGTH: z.coerce.number().int().min(0).default(8),
    UPLOAD_SWEEP_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(60 * 60 * 1000),
    VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:|https:\/\/)/, 'must be a mailto: or https:// contact for push services')
      .default('mailto:parley@localhost'),
    PUSH_COALESCE_MS: z.coerce.number().int().min(0).default(1500),
    PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    PUSH_ALLOW_ANY_ENDPOINT: booleanish.default(false),
    S3_URL: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s):// URL of an S3-compatible endpoint')
      .optional(),
    S3_BUCKET: z.string().min(1).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  })
  .refine((env) => !env.S3_URL || (env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY), {
    message: 'S3_URL needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
    path: ['S3_URL'],
  })
  .refine((env) => env.PRESENCE_TIMEOUT_MS >= 2 * env.PRESENCE_HEARTBEAT_MS, {
    // One late heartbeat (a GC pause, a slow Redis) must not make a live process look dead.
    message: 'must be at least twice PRESENCE_HEARTBEAT_MS',
    path: ['PRESENCE_TIMEOUT_MS'],
  })
  .refine((env) => env.WS_MAX_BATCH_SIZE >= env.MAX_SUBSCRIPTIONS_PER_SOCKET, {
    // The tRPC client resends every subscription of a socket in one frame when it reconnects.
    message: 'must be at least MAX_SUBSCRIPTIONS_PER_SOCKET',
    path: ['WS_MAX_BATCH_SIZE'],
  })
  .refine((env) => env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_REQUEST_TIMEOUT_MS, {
    message: 'must not be more than HTTP_REQUEST_TIMEOUT_MS',
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
  });

export type Config = ReturnType<typeof toConfig>;

/** Beside the embedded database's file (the data folder), or ./data/uploads with PostgreSQL. */
function defaultUploadDir(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) return join('data', 'uploads');
  return join(dirname(databaseUrl.slice('file:'.length).split('?')[0] ?? ''), 'uploads');
}

/** The dev web server (Vite) origins allowed by default next to the server's own. */
const DEV_WEB_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173'];

function toConfig(env: z.infer<typeof envSchema>) {
  return {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    /** undefined: the server's own origin (known once it listens) plus the dev web server's. */
    allowedOrigins: env.ALLOWED_ORIGINS,
    logLevel: env.LOG_LEVEL,
    /** 'auto': readable lines on a terminal, JSON when stdout is a pipe or file (log collectors). */
    logPretty: env.LOG_PRETTY,
    cookieSecure: env.COOKIE_SECURE,
    trustProxy: env.TRUST_PROXY,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    staticDir: env.STATIC_DIR,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    sessionSweepMs: env.SESSION_SWEEP_MS,
    rateLimits: {
      sendPerSecond: env.SEND_RATE_PER_SECOND,
      sendBurst: env.SEND_BURST,
      loginFailuresPerUsernameAndAddress: env.LOGIN_FAILURES_PER_USERNAME_AND_ADDRESS,
      loginFailuresPerAddress: env.LOGIN_FAILURES_PER_ADDRESS,
      loginFailuresBeforeUsernameSlowdown: env.LOGIN_FAILURES_BEFORE_USERNAME_SLOWDOWN,
      loginSlowedIntervalSeconds: env.LOGIN_SLOWED_INTERVAL_SECONDS,
      loginsPerAddressPerMinute: env.LOGIN_PER_ADDRESS_PER_MINUTE,
      signUpsPerAddressPerHour: env.SIGNUP_PER_ADDRESS_PER_HOUR,
      usernameLookupsPerMinute: env.USERNAME_LOOKUPS_PER_MINUTE,
      searchesPerMinute: env.SEARCHES_PER_MINUTE,
      uploadsPerMinute: env.UPLOADS_PER_MINUTE,
      uploadBytesPerDay: env.UPLOAD_BYTES_PER_DAY,
    },
    passwordHashing: { concurrency: env.PASSWORD_HASH_CONCURRENCY, maxQueued: env.PASSWORD_HASH_QUEUE_LENGTH },
    maxSessionsPerUser: env.MAX_SESSIONS_PER_USER,
    sessionMaxAgeMs: Math.round(env.SESSION_MAX_AGE_DAYS * 24 * 60 * 60 * 1000),
    maxSocketsPerUser: env.MAX_SOCKETS_PER_USER,
    maxSubscriptionsPerSocket: env.MAX_SUBSCRIPTIONS_PER_SOCKET,
    maxSocketBufferBytes: env.MAX_SOCKET_BUFFER_BYTES,
    wsMaxPayloadBytes: env.WS_MAX_PAYLOAD_BYTES,
    maxBatchSize: env.MAX_BATCH_SIZE,
    wsMaxBatchSize: env.WS_MAX_BATCH_SIZE,
    maxSocketsPerAddress: env.MAX_SOCKETS_PER_ADDRESS,
    wsAuthTimeoutMs: env.WS_AUTH_TIMEOUT_MS,
    http: {
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    /** No token and no port: /metrics is not served. */
    metrics: { token: env.METRICS_TOKEN, port: env.METRICS_PORT, host: env.METRICS_HOST },
    presence: {
      heartbeatMs: env.PRESENCE_HEARTBEAT_MS,
      timeoutMs: env.PRESENCE_TIMEOUT_MS,
      offlineGraceMs: env.PRESENCE_OFFLINE_GRACE_MS,
    },
    push: { subject: env.VAPID_SUBJECT, coalesceMs: env.PUSH_COALESCE_MS, timeoutMs: env.PUSH_TIMEOUT_MS, pollMs: 250 },
    allowAnyPushEndpoint: env.PUSH_ALLOW_ANY_ENDPOINT,
    files: {
      /** A folder on disk, or an S3-compatible bucket (several machines need one they share). */
      storage:
        env.S3_URL && env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
          ? ({
              kind: 's3',
              url: env.S3_URL,
              bucket: env.S3_BUCKET,
              region: env.S3_REGION,
              accessKeyId: env.S3_ACCESS_KEY_ID,
              secretAccessKey: env.S3_SECRET_ACCESS_KEY,
            } as const)
          : ({ kind: 'disk', dir: env.UPLOAD_DIR ?? defaultUploadDir(env.DATABASE_URL) } as const),
      maxBytes: env.UPLOAD_MAX_BYTES,
      maxPixels: env.UPLOAD_MAX_PIXELS,
      imageWorkers: env.IMAGE_WORKERS,
      imageQueueLength: env.IMAGE_QUEUE_LENGTH,
      sweepMs: env.UPLOAD_SWEEP_MS,
    },
  };
}

export class ConfigError extends Error {}

/** Parses and checks configuration once at start-up; the only reader of the environment. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(result.data);
}

/** The origins a browser may open a socket from when ALLOWED_ORIGINS is not set. */
export function defaultAllowedOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, ...DEV_WEB_ORIGINS];
}
