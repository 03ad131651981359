// The styles are written for people (one declaration a line, indented);
// what ships needs none of that whitespace. Both builds pass their modules
// through here: the `css` tagged template literals (with no `${}` inside) get
// their CSS minified by esbuild. Nothing else in the module changes.
import { transform } from 'esbuild';

const LITERAL = /(\bcss ?`)([^`$\\]*)`/g;

/** `code` with the CSS of each `css`…`` literal minified. */
export async function minifyCssLiterals(code) {
  const found = [...code.matchAll(LITERAL)];
  let out = '';
  let at = 0;
  for (const match of found) {
    const { code: css } = await transform(match[2], { loader: 'css', minify: true, logLevel: 'silent' });
    out += code.slice(at, match.index) + match[1] + css.trim() + '`';
    at = match.index + match[0].length;
  }
  return out + code.slice(at);
}
