import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformWithOxc, type Plugin } from 'vite';
import { appIconPixels, appIconSvg, BRAND_BLUE } from './appIcon.ts';
import { encodePng } from './png.ts';

const SERVICE_WORKER = fileURLToPath(new URL('../sw/serviceWorker.ts', import.meta.url));
/** app.css's --canvas: what an installed app shows before its first paint. */
const CANVAS = '#f3f4f6';

interface ShellFile {
  fileName: string;
  contentType: string;
  source: string | Uint8Array;
}

/**
 * What makes Parley installable: the web app manifest, its icons (drawn at build, so no binary files
 * are committed), and the service worker /sw.js with the list of this build's shell files, which it
 * precaches to open the app offline. The dev server serves the manifest and icons; the worker is
 * registered in production builds only.
 */
export function appShell(): Plugin {
  let files: ShellFile[] | undefined;
  const shellFiles = () => (files ??= drawShellFiles());
  return {
    name: 'parley-app-shell',
    // After Vite's own plugins, so the bundle holds every built file.
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = shellFiles().find((candidate) => req.url === `/${candidate.fileName}`);
        if (!file) return next();
        res.setHeader('content-type', file.contentType);
        res.end(file.source);
      });
    },
    async generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter((fileName) => /^assets\/.+\.(?:js|css|woff2?|svg|png|webp)$/.test(fileName));
      for (const file of shellFiles()) this.emitFile({ type: 'asset', fileName: file.fileName, source: file.source });
      const precache = ['/index.html', ...shellFiles().map((file) => `/${file.fileName}`), ...built.map((fileName) => `/${fileName}`)];
      const { code } = await transformWithOxc(readFileSync(SERVICE_WORKER, 'utf8'), SERVICE_WORKER, { lang: 'ts' });
      // Hashed names change with their content; the rest (index.html, the icons, the worker) is hashed here.
      const hash = createHash('sha256').update(precache.join('\n')).update(code);
      for (const file of shellFiles()) hash.update(file.source);
      const page = bundle['index.html'];
      if (page?.type === 'asset') hash.update(page.source);
      const version = hash.digest('hex').slice(0, 12);
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: `const PARLEY_PRECACHE = ${JSON.stringify(precache)};\nconst PARLEY_VERSION = ${JSON.stringify(version)};\n${code}`,
      });
    },
  };
}

function drawShellFiles(): ShellFile[] {
  const png = (fileName: string, size: number, isMaskable = false): ShellFile => ({
    fileName,
    contentType: 'image/png',
    source: encodePng(size, size, appIconPixels(size, { isMaskable })),
  });
  const manifest = {
    name: 'Parley',
    short_name: 'Parley',
    description: 'Chat with the people on your Parley server.',
    id: '/',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: BRAND_BLUE,
    background_color: CANVAS,
    icons: [
      { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
  return [
    { fileName: 'manifest.webmanifest', contentType: 'application/manifest+json', source: `${JSON.stringify(manifest, null, 2)}\n` },
    { fileName: 'icons/icon.svg', contentType: 'image/svg+xml', source: appIconSvg() },
    png('icons/icon-192.png', 192),
    png('icons/icon-512.png', 512),
    png('icons/icon-maskable-512.png', 512, true),
  ];
}
