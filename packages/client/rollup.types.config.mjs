// Bundles the client's declarations into one dist/index.d.ts that an app outside the workspace can use:
// the router types from @parley/api (never published) are inlined; @trpc/* and zod stay imports.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dts } from 'rollup-plugin-dts';

const here = dirname(fileURLToPath(import.meta.url));
const clientTypes = resolve(here, 'dist/.types/client');
const routerTypes = resolve(here, 'dist/.types/api');
const serverContext = resolve(routerTypes, 'trpc/context.d.ts');
const serverContextStub = resolve(routerTypes, 'trpc/context.client-view.d.ts');

/** Packages the bundled declarations may import; each is a dependency of @parley/client. */
const ALLOWED_IMPORTS = /^(@trpc\/(client|server)|zod)(\/[\w./-]+)?$/;

/**
 * The router's type names its request context (`ctx`: database client, event bus, logger, ...). Clients
 * never see it, and following it would pull Prisma's generated types, pino and ioredis into the bundle,
 * so the client's view of that module is an opaque `Context`.
 */
const opaqueServerContext = {
  name: 'opaque-server-context',
  resolveId(source, importer) {
    if (!importer?.startsWith(routerTypes) || !source.startsWith('.')) return null;
    const target = resolve(dirname(importer), source).replace(/\.(d\.ts|ts|js)$/, '.d.ts');
    return target === serverContext ? serverContextStub : null;
  },
  load(id) {
    return id === serverContextStub ? 'export type Context = object;\n' : null;
  },
};

/** Fails the build when the bundle would import anything an outside app cannot install. */
const onlyPublishedImports = {
  name: 'only-published-imports',
  renderChunk(code) {
    const specifiers = [...code.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);
    const stray = specifiers.filter((specifier) => !ALLOWED_IMPORTS.test(specifier));
    if (stray.length) this.error(`dist/index.d.ts would import ${[...new Set(stray)].join(', ')}; only @trpc/* and zod are dependencies`);
    return null;
  },
};

export default {
  input: resolve(clientTypes, 'index.d.ts'),
  output: { file: resolve(here, 'dist/index.d.ts'), format: 'es' },
  plugins: [opaqueServerContext, dts({ compilerOptions: { paths: { '@parley/api': [resolve(routerTypes, 'index.d.ts')] } } }), onlyPublishedImports],
  onwarn(warning, warn) {
    // Server-only packages (Prisma, pino, ioredis, ...) are named by declarations the bundle leaves out;
    // onlyPublishedImports checks what is left.
    if (warning.code !== 'UNRESOLVED_IMPORT') warn(warning);
  },
};
