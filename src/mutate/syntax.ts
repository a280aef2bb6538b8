// The TLA+ syntax tree the mutator works on: tree-sitter's TLA+ grammar (@tlaplus/tree-sitter-tlaplus), run
// as WebAssembly by web-tree-sitter, so no native build is needed. Loaded once, on first use.

import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export type { Node } from 'web-tree-sitter';

let parser: Promise<Parser> | undefined;

async function load(): Promise<Parser> {
  const require = createRequire(import.meta.url);
  await Parser.init();
  const language = await Language.load(require.resolve('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm'));
  const p = new Parser();
  p.setLanguage(language);
  return p;
}

/** A parsed module: its text, the root node, and the first syntax error tree-sitter found, if any. */
export interface TlaSyntax {
  readonly text: string;
  readonly root: Node;
  readonly error?: { readonly line: number; readonly col: number };
}

/** Parses TLA+ text. Lines and columns in the result are 1-based, as SANY and TLC print them. */
export async function parseTla(text: string): Promise<TlaSyntax> {
  parser ??= load();
  // Handing the parser small chunks: given the whole string, web-tree-sitter copies everything after the
  // requested index on every call, and the TLA+ scanner asks often.
  const tree = (await parser).parse((index: number) => text.slice(index, index + 64));
  if (tree === null) throw new Error('tree-sitter returned no tree');
  const root = tree.rootNode;
  if (!root.hasError) return { text, root };
  const bad = firstError(root) ?? root;
  return { text, root, error: { line: bad.startPosition.row + 1, col: bad.startPosition.column + 1 } };
}

function firstError(n: Node): Node | undefined {
  if (n.isError || n.isMissing) return n;
  for (const c of n.children) {
    if (c === null || !c.hasError && !c.isMissing) continue;
    const found = firstError(c);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The named children of a node, without the comments tree-sitter attaches anywhere. */
export function kids(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment' && c.type !== 'block_comment');
}

/** The node under a field name, when there is one. */
export function field(n: Node, name: string): Node | undefined {
  return n.childForFieldName(name) ?? undefined;
}
