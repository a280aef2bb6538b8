// Stryker ignorers for mutation testing of src/kernel/ (stryker.config.mjs): code that is no kernel behaviour, so
// no model, trace or kernel test can tell its mutants apart. Each mutant left out this way is reported as ignored,
// with the reason below, and is not part of the score.
//  * the narration of what the kernel did (`mm.log.push(...)`: replay's step-by-step text, not state);
//  * a warning's `detail` text (its kind and page are what the checkers read);
//  * the message of an Error thrown for a caller bug (a page that does not exist, a page mapped twice).

/** @param {import('@babel/core').NodePath} path */
function narration(path) {
  const n = path.node;
  if (
    n.type === 'CallExpression' &&
    n.callee.type === 'MemberExpression' &&
    n.callee.property.type === 'Identifier' &&
    n.callee.property.name === 'push' &&
    n.callee.object.type === 'MemberExpression' &&
    n.callee.object.property.type === 'Identifier' &&
    n.callee.object.property.name === 'log'
  ) {
    return 'narration (mm.log) is text for replay, not kernel state';
  }
  if (n.type === 'ObjectProperty' && n.key.type === 'Identifier' && n.key.name === 'detail') {
    return "a warning's detail text is not read by any checker";
  }
  if (n.type === 'NewExpression' && n.callee.type === 'Identifier' && n.callee.name === 'Error') {
    return "the message of an Error thrown for a caller bug";
  }
  return undefined;
}

export const strykerPlugins = [{ kind: 'Ignore', name: 'kernel-text', value: { shouldIgnore: narration } }];
