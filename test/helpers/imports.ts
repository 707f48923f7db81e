import { readdir, readFile, stat } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

/** What the package ships and runs: the import graph of these folders is what a user loads. */
export const RUNTIME_DIRS = ['runner', 'suites', 'proxies', 'fixtures'] as const;

export interface ImportGraph {
  /** module → the modules it imports (ids like `runner/run`) */
  edges: Map<string, string[]>;
  /** npm package name → the modules importing it */
  packages: Map<string, string[]>;
}

async function files(dir: string, ext: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p, ext)));
    else if (e.name.endsWith(ext) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** `ajv/dist/2020.js` → `ajv`, `@scope/pkg/x` → `@scope/pkg` */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

/**
 * `runtime`: the compiled JavaScript, where `import type` is erased (verbatimModuleSyntax), so the
 * graph holds only what is evaluated; a dist file whose source is gone (stale output) is left out.
 * `source`: the TypeScript, type-only imports included — the coupling a reader sees, which is
 * what `madge --circular` reports. Module ids are paths like `runner/run` (no extension).
 */
export async function importGraph(root: string, kind: 'runtime' | 'source'): Promise<ImportGraph> {
  const base = kind === 'runtime' ? join(root, 'dist') : root;
  const ext = kind === 'runtime' ? '.js' : '.ts';
  const edges = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  for (const d of RUNTIME_DIRS) {
    for (const file of await files(join(base, d), ext)) {
      const id = relative(base, file).split('\\').join('/').slice(0, -ext.length);
      if (kind === 'runtime' && !(await exists(join(root, `${id}.ts`)))) continue;
      const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
      const deps: string[] = [];
      for (const { fileName: spec } of info.importedFiles) {
        if (spec.startsWith('.')) deps.push(posix.normalize(posix.join(dirname(id), spec)).replace(/\.js$/, ''));
        else if (!spec.startsWith('node:') && !isBuiltin(spec)) {
          const name = packageName(spec);
          packages.set(name, [...(packages.get(name) ?? []), id]);
        }
      }
      edges.set(id, deps);
    }
  }
  return { edges, packages };
}

/** Strongly connected components with more than one module (or a module importing itself): the import cycles. */
export function importCycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
