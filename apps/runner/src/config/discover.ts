import * as fs from 'node:fs';
import * as path from 'node:path';

/** An installed plugin package: its `use` name and where it lives. */
export interface InstalledPlugin {
  use: string;
  packageName: string;
  dir: string;
}

function nodeModulesChain(from: string): string[] {
  const out: string[] = [];
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const nm = path.join(dir, 'node_modules');
    if (fs.existsSync(nm)) out.push(nm);
    if (path.dirname(dir) === dir) return out;
  }
}

function readPackage(dir: string): { name?: string; keywords?: string[] } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      name?: string;
      keywords?: string[];
    };
  } catch {
    return undefined;
  }
}

/**
 * Plugin packages visible from `from` and from the CLI itself: `@trainwatch/<name>` and
 * `trainwatch-plugin-<name>` packages whose package.json lists the `trainwatch-plugin` keyword.
 */
export function discoverPlugins(from: string = process.cwd()): InstalledPlugin[] {
  const found = new Map<string, InstalledPlugin>();
  for (const nm of [...nodeModulesChain(from), ...nodeModulesChain(__dirname)]) {
    const dirs: string[] = [];
    const scope = path.join(nm, '@trainwatch');
    if (fs.existsSync(scope)) dirs.push(...fs.readdirSync(scope).map((d) => path.join(scope, d)));
    dirs.push(
      ...fs
        .readdirSync(nm)
        .filter((d) => d.startsWith('trainwatch-plugin-'))
        .map((d) => path.join(nm, d)),
    );
    for (const dir of dirs) {
      const pkg = readPackage(dir);
      if (!pkg?.name || !pkg.keywords?.includes('trainwatch-plugin')) continue;
      const use = pkg.name.replace(/^@trainwatch\//, '').replace(/^trainwatch-plugin-/, '');
      if (!found.has(use)) found.set(use, { use, packageName: pkg.name, dir: fs.realpathSync(dir) });
    }
  }
  return [...found.values()].sort((a, b) => a.use.localeCompare(b.use));
}
