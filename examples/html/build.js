// The page needs no build: this only assembles what a web server would serve, the page next to a
// copy of the kit's self-contained artifact (node_modules/crm-realtime/dist/kit -> dist/kit).
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const kit = join(dirname(createRequire(import.meta.url).resolve('crm-realtime/package.json')), 'dist/kit');
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
for (const file of ['index.html', 'app.js']) cpSync(file, join('dist', file));
cpSync(kit, join('dist', 'kit'), { recursive: true });
console.log(`dist/: index.html, app.js and the kit from ${kit}`);
