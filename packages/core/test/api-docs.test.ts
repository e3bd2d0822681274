import * as path from 'node:path';
import * as ts from 'typescript';

// What users and plugin authors import carries its documentation: every export of the public entry
// points has a TSDoc comment (editors show it on hover; the docs link to it).
const ENTRIES = ['packages/core/src/index.ts', 'packages/core/src/testing.ts', 'packages/trainwatch/src/index.ts'];
const ROOT = path.resolve(__dirname, '../../..');

function undocumented(entry: string): string[] {
  const file = path.join(ROOT, entry);
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  for (const e of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)) {
    const s = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    const decl = s.declarations?.[0];
    if (!decl || decl.getSourceFile().fileName.includes('node_modules')) continue;
    // `tf` is the tfjs namespace, documented where it is defined (backend/tf.ts) as a module.
    if (ts.isSourceFile(decl)) continue;
    const node = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
    if (ts.getJSDocCommentsAndTags(node).length === 0 && s.getDocumentationComment(checker).length === 0)
      missing.push(e.name);
  }
  return missing;
}

describe('public API documentation', () => {
  it.each(ENTRIES)('every export of %s has TSDoc', (entry) => {
    expect(undocumented(entry)).toEqual([]);
  });
});
